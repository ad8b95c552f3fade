"""The figures' words (titles, axes, legends, captions), a recipe's training and augmentation in
words, and what the views of a run call its images."""

WORDS: dict[str, tuple[str, str]] = {
    # learning curves and comparisons
    "fig_curves_title": ("Learning curves — {title}",
                         "Courbes d'apprentissage — {title}"),
    "fig_epoch": ("epoch", "époque"),
    "fig_accuracy": ("accuracy", "précision"),
    "fig_loss": ("loss", "erreur"),
    "fig_accuracy_title": ("Accuracy", "Précision"),
    "fig_loss_title": ("Loss", "Erreur"),
    "fig_training": ("training", "apprentissage"),
    "fig_test": ("test", "test"),
    "fig_best_test": ("best test {accuracy}",
                      "meilleur test {accuracy}"),
    "fig_compared": ("Runs compared", "Runs comparés"),
    "fig_run_test": ("{label} — test", "{label} — test"),
    "fig_run_training": ("{label} — training",
                         "{label} — apprentissage"),
    "fig_solid_dashed": ("{name}: test (solid) vs training (dashed)",
                         "{name} : test (trait plein) et apprentissage (tirets)"),
    "cap_fig_curves": ("Training and test accuracy and loss per epoch: where they part, the "
                       "network learns its training images by heart.",
                       "Précision et erreur par époque, en apprentissage et en test : là où "
                       "elles se séparent, le réseau apprend ses images par cœur."),
    "cap_fig_compare": ("Test (solid) and training (dashed) accuracy of each run: where a run's "
                        "two curves part, it learns its training images by heart.",
                        "Précision de test (trait plein) et d'apprentissage (tirets) de chaque "
                        "run : là où ses deux courbes se séparent, il apprend ses images par "
                        "cœur."),
    # predictions
    "fig_matrix_title": ("Confusion matrix — test accuracy {accuracy}",
                         "Matrice de confusion — précision de test {accuracy}"),
    "fig_predicted_class": ("predicted class", "classe prédite"),
    "fig_true_class": ("true class", "vraie classe"),
    "fig_fraction_true": ("fraction of the true class",
                          "part de la vraie classe"),
    "cap_fig_matrix": ("Rows are the true classes, columns the predicted ones: off the diagonal "
                       "are the mistakes, and which classes are taken for which.",
                       "Les lignes sont les vraies classes, les colonnes les classes prédites : "
                       "hors de la diagonale, les erreurs, et quelles classes sont prises pour "
                       "quelles autres."),
    "fig_predictions_title": ("Test images and their predicted probabilities",
                              "Images de test et probabilités prédites"),
    "cap_fig_predictions": ("Each test image with the probability the network gives every "
                            "class.",
                            "Chaque image de test avec la probabilité que le réseau donne à "
                            "chaque classe."),
    "fig_true_was": ("true: {name}", "vraie : {name}"),
    "fig_probabilities_title": ("Predicted probabilities on the test set, by true class",
                                "Probabilités prédites sur le test, par vraie classe"),
    "cap_fig_probabilities": ("How sure the network is, class by class: a sure network piles up "
                              "near 1.",
                              "À quel point le réseau est sûr, classe par classe : un réseau "
                              "sûr s'entasse près de 1."),
    "fig_true_count": ("true {name} ({count})",
                       "vraie {name} ({count})"),
    "fig_threshold": ("decision threshold", "seuil de décision"),
    "fig_probability_of": ("predicted probability of {name}",
                           "probabilité prédite de {name}"),
    "fig_test_images": ("test images", "images de test"),
    "fig_band_wrong": ("< 0.5 (mostly wrong)", "< 0,5 (surtout faux)"),
    "fig_band_unsure": ("0.5 – 0.9 (unsure)", "0,5 – 0,9 (hésitant)"),
    "fig_band_sure": ("≥ 0.9 (confident)", "≥ 0,9 (sûr)"),
    # the reliability diagram
    "fig_reliability_title": ("Reliability — expected calibration error {ece}",
                              "Fiabilité — erreur de calibration attendue {ece}"),
    "fig_confidence": ("confidence (probability of the answer given)",
                       "confiance (probabilité de la réponse donnée)"),
    "fig_right_answers": ("test answers right", "réponses de test justes"),
    "fig_accuracy_of_group": ("answers right, by confidence",
                              "réponses justes, par confiance"),
    "fig_calibrated": ("a calibrated network", "un réseau calibré"),
    "fig_mean_confidence": ("each group: mean confidence, share right (number of answers)",
                            "chaque groupe : confiance moyenne, part juste (nombre de "
                            "réponses)"),
    "fig_unsure_below": ("unsure below {p}", "hésitant sous {p}"),
    "fig_share_of_class": ("share of the test images of each true class",
                           "part des images de test de chaque vraie classe"),
    "fig_probability_given": ("probability given to the true class",
                              "probabilité donnée à la vraie classe"),
    "fig_mistakes_title": ("Most confident mistakes",
                           "Erreurs les plus sûres d'elles"),
    "fig_wrong_photos_title": ("Misclassified test photos, most confident first ({count} in all)",
                               "Photos de test mal classées, les plus sûres d'abord ({count} "
                               "en tout)"),
    "fig_wrong_photo": ("{name}\ntrue {true}, predicted {predicted}\nP({true}) = {p}",
                        "{name}\nvraie {true}, prédite {predicted}\nP({true}) = {p}"),
    "fig_test_number": ("test #{i}", "test n° {i}"),
    "cap_fig_mistakes": ("The mistakes the network was surest of: often a hard or mislabelled "
                         "image.",
                         "Les erreurs dont le réseau était le plus sûr : souvent une image "
                         "difficile ou mal étiquetée."),
    # the training batch
    "fig_batch_title": ("A training batch as the network sees it",
                        "Un lot d'apprentissage tel que le réseau le voit"),
    "cap_fig_batch_changed": ("What the network trains on, after the random changes it is shown "
                              "(augmentation).",
                              "Ce sur quoi le réseau apprend, après les changements au hasard "
                              "qu'on lui montre (augmentation)."),
    "cap_fig_batch": ("What the network trains on: the images, scaled, as the first batch holds "
                      "them.",
                      "Ce sur quoi le réseau apprend : les images, mises à l'échelle, telles "
                      "que le premier lot les contient."),
    "aug_mirrored": ("mirrored", "retournées"),
    "aug_shift": ("shifted up to {pixels} px",
                  "décalées jusqu'à {pixels} px"),
    "aug_random": ("random {kinds}", "{kinds} au hasard"),
    "kind_flip": ("flip", "retournement"),
    "kind_rotation": ("rotation", "rotation"),
    "kind_shear": ("shear", "cisaillement"),
    "kind_zoom": ("zoom", "zoom"),
    "kind_shift": ("shift", "décalage"),
    "kind_elastic": ("elastic wobble", "ondulation"),
    "kind_thickness": ("stroke thickness", "épaisseur du trait"),
    "kind_blur": ("blur", "flou"),
    "kind_fade": ("fading", "décoloration"),
    # what the network sees
    "fig_input": ("input", "entrée"),
    "fig_layer_maps": ("Layer {n} ({layer}, {kind}): {count} feature maps of {image}",
                       "Couche {n} ({layer}, {kind}) : {count} cartes de {image}"),
    "kind_convolution": ("convolution", "convolution"),
    "kind_pooling": ("pooling", "pooling"),
    "fig_one_scale": ("one scale for all maps: {low} (black) to {high} (white)",
                      "une échelle pour toutes les cartes : {low} (noir) à {high} (blanc)"),
    "fig_own_scale": ("each map on its own scale (black = its lowest, white = its highest)",
                      "chaque carte à sa propre échelle (noir = son minimum, blanc = son "
                      "maximum)"),
    "cap_fig_maps": ("What layer {n} ({kind}) outputs for this image: one map per filter, white "
                     "where it responds strongly.",
                     "Ce que la couche {n} ({kind}) produit pour cette image : une carte par "
                     "filtre, blanche là où il répond fort."),
    "fig_filter_title": ("Layer {n} ({layer}), filter {f}, on {count} images",
                         "Couche {n} ({layer}), filtre {f}, sur {count} images"),
    "fig_filter_note": ("top: input — bottom: the filter's output (white = high, black = low, "
                        "one scale)",
                        "en haut : l'entrée — en bas : la sortie du filtre (blanc = élevé, noir "
                        "= faible, une échelle)"),
    "fig_kernel": ("kernel", "motif"),
    "fig_kernel_summed": ("kernel\n(summed over inputs)",
                          "motif\n(somme sur ses entrées)"),
    "cap_fig_filter": ("Filter {f} of layer {n} on many images: what it picks out (edges of one "
                       "direction, strokes, textures) shows where it is white.",
                       "Le filtre {f} de la couche {n} sur plusieurs images : ce qu'il met en "
                       "évidence (bords d'une direction, traits, textures) est en blanc."),
    "fig_kernels_title": ("Layer {n} ({layer}): {count} kernels of {kh}×{kw}×{cin}",
                          "Couche {n} ({layer}) : {count} motifs de {kh}×{kw}×{cin}"),
    "fig_kernels_colour": ("colour = the kernel's RGB weights",
                           "couleur = les poids RVB du motif"),
    "fig_kernels_summed": ("summed over input channels; red < 0 < blue",
                           "somme sur les canaux d'entrée ; rouge < 0 < bleu"),
    "cap_fig_kernels": ("The {count} learned {kh}×{kw} kernels of layer {n}: light weights add, "
                        "dark ones subtract.",
                        "Les {count} motifs {kh}×{kw} appris par la couche {n} : les poids "
                        "clairs ajoutent, les sombres retranchent."),
    # what each class looks for: a dense layer's weights laid back as its input maps
    "fig_weights_title": ("What '{name}' looks for: {layer}'s {count} weights as the {maps} "
                          "maps of {height}×{width} it receives",
                          "Ce que cherche « {name} » : les {count} poids de {layer} comme les "
                          "{maps} cartes de {height}×{width} qu'elle reçoit"),
    "fig_weights_unit": ("unit {n}", "unité {n}"),
    "fig_weights_map": ("map", "carte"),
    "fig_weights_legend": ("weight: red raises the score where the map is high, blue lowers "
                           "it, white ignores it (one scale for every class)",
                           "poids : le rouge augmente le score là où la carte est élevée, le "
                           "bleu le diminue, le blanc l'ignore (une échelle pour toutes les "
                           "classes)"),
    "cap_fig_weights": ("Each class's score is every value of these maps times its weight, "
                        "summed: red places of a map push towards '{name}', blue ones away.",
                        "Le score de chaque classe est la somme de chaque valeur de ces cartes "
                        "fois son poids : les zones rouges d'une carte poussent vers « {name} », "
                        "les bleues l'en éloignent."),
    "weights_none": ("This network has no dense layer fed by flattened maps (its maps are "
                     "pooled to one value each, or it has no dense layer): no weight maps to "
                     "show.",
                     "Ce réseau n'a pas de couche dense alimentée par des cartes mises bout à "
                     "bout (ses cartes sont réduites à une valeur chacune, ou il n'a pas de "
                     "couche dense) : pas de cartes de poids à montrer."),
    "fig_cam_title": ("{method} on {image} (layer {layer})",
                      "{method} sur {image} (couche {layer})"),
    "fig_evidence": ("evidence for '{name}'", "indices pour « {name} »"),
    # the same images through several networks (compare)
    "fig_same_images": ("The same test images through each network ({images})",
                        "Les mêmes images de test à travers chaque réseau ({images})"),
    "fig_through": ("{label}: {name} ({p})", "{label} : {name} ({p})"),
    "cap_fig_same_images": ("A row per network: its answer for each test image and, in warm "
                            "colours, where its evidence lies (HiResCAM).",
                            "Une ligne par réseau : sa réponse pour chaque image de test et, "
                            "en couleurs chaudes, où sont ses indices (HiResCAM)."),
    # can the map be trusted (explain --check)
    "fig_check_title": ("Can this map be trusted? {image} (layer {layer})",
                        "Peut-on se fier à cette carte ? {image} (couche {layer})"),
    "fig_check_trained": ("trained network: '{name}'", "réseau entraîné : « {name} »"),
    "fig_check_runner_up": ("runner-up '{name}': ρ = {rho}",
                            "deuxième « {name} » : ρ = {rho}"),
    "fig_check_erased": ("erased down to {layer}: ρ = {rho}",
                         "effacé jusqu'à {layer} : ρ = {rho}"),
    "cap_fig_check": ("The map of the trained network, the map for the runner-up class, then "
                      "the maps of the same network whose weights are drawn again at random "
                      "from the output layer down; ρ is the rank correlation with the trained "
                      "network's map (1: the same ordering of pixels, 0: none in common).",
                      "La carte du réseau entraîné, la carte de la deuxième classe, puis les "
                      "cartes du même réseau dont les poids sont tirés à nouveau au hasard "
                      "depuis la couche de sortie vers l'entrée ; ρ est la corrélation de rang "
                      "avec la carte du réseau entraîné (1 : le même ordre des pixels, 0 : "
                      "rien en commun)."),
    # A network that learnt nothing passes too (its own random weights count): the sentence
    # says what the checks show and leaves how much it learnt to its accuracy.
    "check_trusted": ("The map passes both checks: it falls apart when the weights are "
                      "erased, and it changes with the class. It shows what this network, "
                      "with its weights, looks at in this image; how much those weights "
                      "learnt is for its test accuracy to say.",
                      "La carte passe les deux tests : elle se défait quand on efface les "
                      "poids, et elle change avec la classe. Elle montre ce que ce réseau, "
                      "avec ses poids, regarde dans cette image ; ce que ces poids ont appris, "
                      "c'est sa précision sur le test qui le dit."),
    "check_ignores_weights": ("Careful: the map still looks the same once the learnt weights "
                              "are erased (ρ = {rho}): it draws the image's outlines more "
                              "than what this network learnt.",
                              "Prudence : la carte reste la même une fois les poids appris "
                              "effacés (ρ = {rho}) : elle dessine les contours de l'image "
                              "plus que ce que le réseau a appris."),
    "check_ignores_class": ("Careful: the map for the runner-up class is almost the same "
                            "(ρ = {rho}): it says where the network looks, not what made it "
                            "choose this class.",
                            "Prudence : la carte de la deuxième classe est presque la même "
                            "(ρ = {rho}) : elle dit où le réseau regarde, pas ce qui lui a "
                            "fait choisir cette classe."),
    "check_untrusted": ("Do not trust this map: it stays the same when the learnt weights are "
                        "erased and when the class changes.",
                        "Ne vous fiez pas à cette carte : elle reste la même quand on efface "
                        "les poids appris et quand la classe change."),
    "fig_probability": ("probability", "probabilité"),
    "fig_prediction": ("prediction", "prédiction"),
    "cap_fig_cam": ("Where the evidence for '{name}' lies: the warm areas raised its score the "
                    "most.",
                    "Où sont les indices de « {name} » : les zones chaudes ont le plus fait "
                    "monter son score."),
    "fig_your_picture": ("your picture", "votre image"),
    "fig_received": ("what the network receives ({height}×{width})",
                     "ce que reçoit le réseau ({height}×{width})"),
    "fig_predicted": ("prediction: {name} ({p})",
                      "prédiction : {name} ({p})"),
    "cap_fig_received": ("Your picture, what the network received from it, and its answer.",
                         "Votre image, ce que le réseau en a reçu, et sa réponse."),
    "fig_weights_total": ("{title} — {total} weights",
                          "{title} — {total} poids"),
    "cap_fig_architecture": ("The network's blocks in order, with the shape of what each one "
                             "outputs and its weights.",
                             "Les blocs du réseau dans l'ordre, avec la forme de ce que chacun "
                             "produit et ses poids."),
    "test_image": ("test image #{i} ({name})",
                   "image de test n° {i} ({name})"),
    # a recipe's training in one line
    "train_sgd": ("SGD (Nesterov {momentum})",
                  "SGD (Nesterov {momentum})"),
    "train_decay": ("weight decay {decay}",
                    "pénalité des poids {decay}"),
    "train_smoothing": ("label smoothing {amount}",
                        "étiquettes lissées {amount}"),
    "train_lookahead": ("lookahead averaging",
                        "moyenne des poids (lookahead)"),
    "train_schedule_cosine": ("cosine decay",
                              "décroissance en cosinus"),
    "train_schedule_warmup-cosine": ("warmup-cosine decay",
                                     "montée puis décroissance en cosinus"),
    "train_batch": ("batch {size}", "lots de {size}"),
    "train_epochs": ("{count} epochs", "{count} époques"),
    "train_epochs_one": ("{count} epoch", "{count} époque"),
    "train_auto_precision": ("bfloat16 where measured faster",
                             "bfloat16 là où il est mesuré plus rapide"),
}
