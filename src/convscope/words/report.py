"""The report's words: headings, captions that say what to look at, alt texts, and what is
missing from a run. Every caption is one line."""

WORDS: dict[str, tuple[str, str]] = {
    # the page
    "title": ("convscope report",
              "Rapport convscope"),
    "generated": ("Written by convscope {version} on {date}.",
                  "Écrit par convscope {version} le {date}."),
    "contents": ("Contents",
                 "Sommaire"),
    "h_compare": ("The runs compared",
                  "Les runs comparés"),
    "compare_intro": ("One line per run, then every run's test (solid) and training (dashed) "
                      "accuracy together.",
                      "Une ligne par run, puis la précision de test (trait plein) et "
                      "d'apprentissage (tirets) de tous les runs ensemble."),
    "cap_compare": ("Where a run's dashed line climbs away from its solid one, it learns its "
                    "training images by heart; the higher solid line generalises better.",
                    "Là où les tirets d'un run montent au-dessus de son trait plein, il "
                    "apprend ses images par cœur ; le trait plein le plus haut généralise le "
                    "mieux."),
    "alt_compare": ("Accuracy and loss per epoch of every run, test and training",
                    "Précision et erreur par époque de chaque run, test et apprentissage"),
    "compare_failed": ("The runs could not be compared: {why}",
                       "Les runs n'ont pas pu être comparés : {why}"),
    "h_seeing": ("What the network sees",
                 "Que voit le réseau ?"),
    "your_model": ("Your model: {name}",
                   "Votre modèle : {name}"),
    # sections of a run
    "h_run": ("The run",
              "Le run"),
    "h_data": ("The data",
               "Les données"),
    "h_network": ("The network",
                  "Le réseau"),
    "h_learning": ("Learning",
                   "L'apprentissage"),
    "h_predictions": ("Predictions",
                      "Les prédictions"),
    "problems": ("Missing or damaged in this run",
                 "Manquant ou endommagé dans ce run"),
    "present": ("Files in this folder: {files}",
                "Fichiers de ce dossier : {files}"),
    "problem_unreadable_run": ("This folder could not be opened as a run: {why}",
                               "Ce dossier ne peut pas être ouvert comme un run : {why}"),
    "problem_damaged": ("{what} is damaged: {why}",
                        "{what} est endommagé : {why}"),
    "problem_missing": ("{what} is missing",
                        "{what} est absent"),
    "problem_redrawn": ("{what} was missing or damaged: drawn again from the model for this "
                        "page (`convscope evaluate` writes it back)",
                        "{what} était absent ou endommagé : redessiné à partir du modèle "
                        "pour cette page (`convscope evaluate` le réécrit)"),
    "problem_no_model": ("no usable model, so nothing is predicted or looked inside: {why}",
                         "pas de modèle utilisable, donc ni prédiction ni regard à "
                         "l'intérieur : {why}"),
    "problem_no_data": ("the test images could not be loaded (pass --data-dir if the data "
                        "moved): {why}",
                        "les images de test n'ont pas pu être chargées (--data-dir si les "
                        "données ont changé de place) : {why}"),
    "problem_no_predictions": ("the test images could not be predicted: {why}",
                               "les images de test n'ont pas pu être prédites : {why}"),
    "problem_unreadable_image": ("{what}: could not be read ({why})",
                                 "{what} : illisible ({why})"),
    "problem_section_failed": ("“{what}” could not be drawn: {why}",
                               "« {what} » n'a pas pu être dessiné : {why}"),
    # data
    "alt_batch": ("A grid of training images with their classes",
                  "Une grille d'images d'apprentissage avec leur classe"),
    "cap_batch": ("The start of a training batch as the network receives it, after the "
                  "random changes of augmentation if the run has any (its title names them): "
                  "is this what it should learn from?",
                  "Le début d'un lot d'apprentissage tel que le réseau le reçoit, après les "
                  "modifications aléatoires de l'augmentation si le run en a (son titre les "
                  "nomme) : est-ce bien ce qu'il doit apprendre ?"),
    "h_folders": ("The class folders",
                  "Les dossiers des classes"),
    "folders_parts": ("Training photos come from {train}/<class>/ and test photos from "
                      "{test}/<class>/; each class is a folder's name.",
                      "Les photos d'apprentissage viennent de {train}/<classe>/ et celles de "
                      "test de {test}/<classe>/ ; chaque classe est le nom d'un dossier."),
    "folders_split": ("Photos come from {root}/<class>/, split into training and test by "
                      "{split}; each class is a folder's name.",
                      "Les photos viennent de {root}/<classe>/, réparties entre "
                      "apprentissage et test par {split} ; chaque classe est le nom d'un "
                      "dossier."),
    "class": ("class",
              "classe"),
    "train_photos": ("training photos",
                     "photos d'apprentissage"),
    "test_photos": ("test photos",
                    "photos de test"),
    "total": ("total",
              "total"),
    "h_skipped": ("Skipped files",
                  "Fichiers écartés"),
    "none_skipped": ("Every file in the class folders was used.",
                     "Tous les fichiers des dossiers de classes ont servi."),
    "skipped_intro": ("{n} files were left out of training and testing, each for the reason "
                      "given:",
                      "{n} fichiers ont été écartés de l'apprentissage et du test, chacun "
                      "pour la raison donnée :"),
    "more_skipped": ("… and {n} more (`convscope scan` lists them all).",
                     "… et {n} autres (`convscope scan` les liste tous)."),
    "file": ("file",
             "fichier"),
    "reason": ("why",
               "raison"),
    # network
    "no_model": ("No usable model in this run: nothing to show here.",
                 "Pas de modèle utilisable dans ce run : rien à montrer ici."),
    "network_intro": ("Each layer in order, the shape of what it outputs and how its weights "
                      "are counted: a 3×3 kernel over 32 inputs has 3×3×32 weights, plus one "
                      "bias per filter.",
                      "Chaque couche dans l'ordre, la taille de sa sortie et le compte de "
                      "ses poids : un motif 3×3 sur 32 entrées a 3×3×32 poids, plus un biais "
                      "par filtre."),
    "layer": ("layer",
              "couche"),
    "type": ("type",
             "type"),
    "output": ("output shape",
               "taille de sortie"),
    "weights": ("weights",
                "poids"),
    "how": ("how they are counted",
            "comment on les compte"),
    "no_weights": ("no weights",
                   "aucun poids"),
    "sees": ("sees (input pixels)",
             "voit (pixels de l'entrée)"),
    "step": ("one every",
             "un tous les"),
    "whole": ("the whole picture",
              "toute l'image"),
    "fields_intro": ("Each value of a layer depends on a square of input pixels, its "
                     "receptive field, which grows layer after layer; neighbouring values "
                     "are a step of pixels apart.",
                     "Chaque valeur d'une couche dépend d'un carré de pixels de l'entrée, "
                     "son champ récepteur, qui grandit de couche en couche ; deux valeurs "
                     "voisines sont décalées d'un pas de pixels."),
    # learning
    "no_history": ("No completed epoch: no learning curves yet.",
                   "Aucune époque terminée : pas encore de courbes d'apprentissage."),
    "alt_curves": ("Training and test accuracy and loss per epoch",
                   "Précision et erreur par époque, apprentissage et test"),
    "cap_curves": ("Accuracy (left) and loss (right) per epoch on the training and the test "
                   "images: where the two curves part, the network learns its training "
                   "images by heart.",
                   "Précision (à gauche) et erreur (à droite) par époque sur les images "
                   "d'apprentissage et de test : là où les courbes se séparent, le réseau "
                   "apprend ses images par cœur."),
    # predictions
    "alt_predictions": ("Test images, each above a bar chart of its predicted probabilities",
                        "Des images de test, chacune au-dessus des probabilités prédites"),
    "cap_predictions": ("Test images with the probability given to each class: a tall single "
                        "bar is a sure answer, red is a mistake, the true class is outlined.",
                        "Des images de test avec la probabilité donnée à chaque classe : une "
                        "seule barre haute est une réponse sûre, le rouge une erreur, la "
                        "vraie classe est entourée."),
    "alt_probabilities": ("How much probability the network gives the true class, per class",
                          "La probabilité donnée à la vraie classe, classe par classe"),
    "cap_probabilities": ("How sure the network is, class by class: a sure network piles up "
                          "near 1.",
                          "L'assurance du réseau, classe par classe : un réseau sûr de lui "
                          "s'entasse près de 1."),
    "alt_mistakes": ("The test images the network got wrong with the most confidence",
                     "Les images de test où le réseau s'est trompé avec le plus d'assurance"),
    "cap_mistakes": ("The mistakes the network was surest of: often a hard, ambiguous or "
                     "mislabelled image.",
                     "Les erreurs dont le réseau était le plus sûr : souvent une image "
                     "difficile, ambiguë ou mal étiquetée."),
    "alt_matrix": ("Confusion matrix of the test images",
                   "Matrice de confusion des images de test"),
    "cap_matrix_still": ("Rows are the true classes, columns the predicted ones: off the "
                         "diagonal are the mistakes.",
                         "Les lignes sont les vraies classes, les colonnes les classes "
                         "prédites : hors de la diagonale, les erreurs."),
    "no_predictions": ("No predictions to show for this run.",
                       "Pas de prédictions à montrer pour ce run."),
    "h_yours": ("Your images",
                "Vos images"),
    "yours_title": ("Your images and their predicted probabilities",
                    "Vos images et leurs probabilités prédites"),
    "alt_yours": ("Your images, each above a bar chart of its predicted probabilities",
                  "Vos images, chacune au-dessus des probabilités prédites"),
    "cap_yours": ("Your images ({shown} of {n}) with the probability the network gives each "
                  "class.",
                  "Vos images ({shown} sur {n}) avec la probabilité que le réseau donne à "
                  "chaque classe."),
    "h_matrix": ("Confusion matrix",
                 "Matrice de confusion"),
    "cm_corner": ("true ↓|predicted →",
                  "vraie ↓|prédite →"),
    "cap_matrix": ("Rows are the true classes, columns the predicted ones; blue is right, "
                   "red a mistake. Click a number to see its test images below.",
                   "Les lignes sont les vraies classes, les colonnes les classes prédites ; "
                   "en bleu les bonnes réponses, en rouge les erreurs. Cliquez sur un nombre "
                   "pour voir ses images de test ci-dessous."),
    "cell_label": ("{n} test images of class {true} predicted as {predicted}",
                   "{n} images de test de la classe {true} prédites {predicted}"),
    "cell_heading": ("True {true}, predicted {predicted}: {n} test images (showing {shown})",
                     "Vraie classe {true}, prédite {predicted} : {n} images de test ({shown} "
                     "montrées)"),
    "thumb_alt": ("Test image {name}: true {true}, predicted {predicted} ({p})",
                  "Image de test {name} : vraie classe {true}, prédite {predicted} ({p})"),
    "h_per_class": ("Accuracy of each class",
                    "Précision de chaque classe"),
    "test_images": ("test images",
                    "images de test"),
    "accuracy": ("accuracy",
                 "précision"),
    "cap_per_class": ("The share of each class's test images the network gets right: the "
                      "short bars are the classes it finds hard.",
                      "La part des images de test de chaque classe que le réseau reconnaît : "
                      "les barres courtes sont les classes difficiles pour lui."),
    # how far its confidence can be trusted
    "h_reliability": ("When the network should not be sure",
                      "Quand le réseau ne devrait pas être sûr"),
    "alt_reliability": ("Reliability diagram: the share of right test answers at each "
                        "confidence",
                        "Diagramme de fiabilité : la part de réponses de test justes à chaque "
                        "niveau de confiance"),
    "cap_reliability": ("The test answers grouped by confidence: a calibrated network's bars "
                        "reach the diagonal (80 % sure, right 80 % of the time). Expected "
                        "calibration error: {ece}, the mean gap between confidence and "
                        "accuracy. {unsure}",
                        "Les réponses de test groupées par confiance : les barres d'un réseau "
                        "calibré atteignent la diagonale (sûr à 80 %, juste 80 % du temps). "
                        "Erreur de calibration attendue : {ece}, l'écart moyen entre confiance "
                        "et précision. {unsure}"),
    "unsure_below": ("Below {p} of confidence its test answers were right less than {target} "
                     "of the time: the app and predict call such an answer unsure.",
                     "Sous {p} de confiance, ses réponses de test étaient justes moins de "
                     "{target} du temps : l'application et predict disent d'une telle réponse "
                     "qu'elle est hésitante."),
    "unsure_always": ("At no confidence were its test answers right {target} of the time: "
                      "every answer is called unsure.",
                      "À aucun niveau de confiance ses réponses de test n'étaient justes "
                      "{target} du temps : toute réponse est dite hésitante."),
    "h_class_weights": ("What each class looks for: the weights over the last maps",
                        "Ce que cherche chaque classe : les poids sur les dernières cartes"),
    "alt_weights": ("The weights of {layer} for {name}, as the maps it receives: red "
                    "positive, blue negative",
                    "Les poids de {layer} pour {name}, comme les cartes qu'elle reçoit : "
                    "rouge positif, bleu négatif"),
    "h_check": ("Can the Grad-CAM map be trusted?",
                "Peut-on se fier à la carte Grad-CAM ?"),
    "alt_check": ("Grad-CAM maps of the trained network, of the runner-up class and of the "
                  "network with its weights erased layer by layer",
                  "Cartes Grad-CAM du réseau entraîné, de la deuxième classe et du réseau "
                  "dont les poids sont effacés couche par couche"),
    "alt_same_images": ("The same test images through each network, with its answer and "
                        "where its evidence lies",
                        "Les mêmes images de test à travers chaque réseau, avec sa réponse et "
                        "où sont ses indices"),
    # inside one number
    "h_trace": ("Inside one number", "Dans un nombre"),
    "trace_intro": ("For {image}: the largest value of each layer, then the class score, "
                    "computed again from what the layer received (convscope trace).",
                    "Pour {image} : la plus grande valeur de chaque couche, puis le score de "
                    "la classe, recalculés à partir de ce que la couche a reçu (convscope "
                    "trace)."),
    "trace_where": (" at row {row}, column {col}", ", ligne {row}, colonne {col}"),
    "trace_head": ("{layer}, map {map}{where}", "{layer}, carte {map}{where}"),
    "trace_class_head": ("{layer}: the score of class {name}",
                         "{layer} : le score de la classe {name}"),
    "trace_patch": ("input patch", "morceau de l'entrée"),
    "trace_kernel": ("× kernel", "× motif"),
    "trace_products": ("= products", "= produits"),
    "trace_correlation": ("Keras lays the kernel on the patch as it is (a correlation, not a "
                          "flipped convolution).",
                          "Keras pose le motif sur le morceau tel quel (une corrélation, pas "
                          "une convolution retournée)."),
    "trace_end": ("Sum {sum}, + bias {bias} = {pre}, {function} → {value}.",
                  "Somme {sum}, + biais {bias} = {pre}, {function} → {value}."),
    "trace_maps": ("Patch × kernel summed over each of the {n} input maps; the largest: "
                   "{largest}.",
                   "Morceau × motif sommé sur chacune des {n} cartes d'entrée ; les plus "
                   "grandes : {largest}."),
    "trace_map_sum": ("map {map} {value}", "carte {map} {value}"),
    "trace_max": ("The largest of the window: {value}.", "Le plus grand de la fenêtre : {value}."),
    "trace_mean": ("The mean of the window: {value}.", "La moyenne de la fenêtre : {value}."),
    "trace_softmax": ("Σ of its {n} inputs × weights = {score}, + bias {bias} = {logit} "
                      "(its score); the softmax of every class's score gives {p}.",
                      "Σ de ses {n} entrées × poids = {score}, + biais {bias} = {logit} "
                      "(son score) ; la softmax des scores de toutes les classes donne {p}."),
    "trace_check": ("Recomputed: {value}; the network: {activation}.",
                    "Recalculé : {value} ; le réseau : {activation}."),
    # what the network sees
    "seeing_intro": ("Layers are numbered from 1 among the convolution and pooling layers, "
                     "as in the course; in the maps white is a high value and black a low "
                     "one.",
                     "Les couches sont numérotées à partir de 1 parmi les couches de "
                     "convolution et de pooling, comme dans le cours ; dans les cartes, le "
                     "blanc est une valeur élevée, le noir une valeur faible."),
    "no_conv": ("This network has no convolution layer to look inside.",
                "Ce réseau n'a pas de couche de convolution à regarder."),
    "no_images": ("No images to look at (the test images could not be loaded).",
                  "Pas d'images à regarder (les images de test n'ont pas pu être chargées)."),
    "h_maps": ("Feature maps, layer by layer",
               "Les cartes de chaque couche"),
    "h_filter": ("One filter across many images",
                 "Un filtre sur plusieurs images"),
    "h_kernels": ("The kernels of the first layer",
                  "Les motifs de la première couche"),
    "h_cam": ("Where the evidence lies (Grad-CAM)",
              "Où sont les indices (Grad-CAM)"),
    "convolution": ("convolution",
                    "convolution"),
    "pooling": ("pooling",
                "pooling"),
    "input": ("input",
              "entrée"),
    "maps_alt": ("Every feature map of layer {n} for {image}, numbered from 1",
                 "Toutes les cartes de la couche {n} pour {image}, numérotées à partir de 1"),
    "cap_maps": ("Layer {n} ({kind}), {maps} maps: each is one filter's answer to the image, "
                 "white where it responds strongly.",
                 "Couche {n} ({kind}), {maps} cartes : chacune est la réponse d'un filtre à "
                 "l'image, blanche là où il répond fort."),
    "response_alt": ("The filter's output for {image}",
                     "La sortie du filtre pour {image}"),
    "kernel": ("kernel",
               "motif"),
    "kernel_summed": ("kernel, summed over its inputs",
                      "motif, somme sur ses entrées"),
    "cap_filter": ("Filter {f} of layer {n}, the one whose answer differs most between "
                   "images, on many of them (top: the image; below: the filter's output, "
                   "white = high, one scale from {low} to {high}): what lights up is what it "
                   "picks out, strokes of one direction, edges, textures.",
                   "Le filtre {f} de la couche {n}, celui dont la réponse varie le plus "
                   "d'une image à l'autre, sur plusieurs images (en haut l'image, en dessous "
                   "la sortie du filtre, blanc = élevé, une échelle de {low} à {high}) : ce "
                   "qui s'allume est ce qu'il met en évidence, traits d'une direction, "
                   "bords, textures."),
    "kernel_alt": ("Kernel {k} of layer 1",
                   "Motif {k} de la couche 1"),
    "cap_kernels": ("The {count} learned {kh}×{kw} kernels of layer 1, summed over their "
                    "inputs: blue weights add, red ones subtract; a blue-red pair is an edge "
                    "detector.",
                    "Les {count} motifs {kh}×{kw} appris par la couche 1, sommés sur leurs "
                    "entrées : les poids bleus ajoutent, les rouges retranchent ; un couple "
                    "bleu-rouge détecte un bord."),
    "cap_kernels_colour": ("The {count} learned {kh}×{kw} kernels of layer 1, in colour: "
                           "each looks for that pattern of colours in the photo.",
                           "Les {count} motifs {kh}×{kw} appris par la couche 1, en couleur "
                           ": chacun cherche cet agencement de couleurs dans la photo."),
    "evidence": ("evidence for {name}",
                 "indices pour {name}"),
    "cam_heading": ("{image}: predicted {predicted} ({p})",
                    "{image} : prédite {predicted} ({p})"),
    "alt_cam": ("Grad-CAM heat map over {image}, predicted {predicted}",
                "Carte de chaleur Grad-CAM sur {image}, prédite {predicted}"),
    "cap_cam": ("HiResCAM (Grad-CAM without averaging the gradients) at layer {layer}: the "
                "warm areas raised the predicted class's score the most; on a mistake, they "
                "show what misled the network.",
                "HiResCAM (Grad-CAM sans moyenne des gradients) à la couche {layer} : les "
                "zones chaudes sont celles qui ont le plus fait monter le score de la classe "
                "prédite ; sur une erreur, elles montrent ce qui a trompé le réseau."),
}
