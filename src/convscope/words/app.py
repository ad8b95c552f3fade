"""The app's words: every label, help line and answer of its four tabs."""

WORDS: dict[str, tuple[str, str]] = {
    # the page
    "app_title": ("## convscope — look inside convolutional networks",
                  "## convscope — regarder à l'intérieur des réseaux convolutifs"),
    "language": ("Language",
                 "Langue"),
    "tab_draw": ("Draw",
                 "Dessiner"),
    "tab_photo": ("Photo",
                  "Photo"),
    "tab_explore": ("Explore a run",
                    "Explorer un entraînement"),
    "tab_train": ("Train",
                  "Entraîner"),
    "problem": ("Problem: {message}",
                "Problème : {message}"),
    "control": ("“{name}”", "« {name} »"),
    "control_data_dir": ("the data folder (CONVSCOPE_DATA, when the app starts)",
                         "le dossier des données (CONVSCOPE_DATA, au lancement de l'application)"),
    "control_validation_split": ("the share of photos held out for testing",
                                 "la part des photos gardées pour le test"),
    "unexpected": ("Unexpected error ({error}); the details are in the terminal running "
                   "convscope app.",
                   "Erreur inattendue ({error}) ; le détail est dans le terminal qui exécute "
                   "convscope app."),
    # shared by the tabs
    "probabilities": ("Probabilities",
                      "Probabilités"),
    "gradcam": ("Where the evidence is (Grad-CAM)",
                "Où sont les indices (Grad-CAM)"),
    "maps_heading": ("#### What every layer sees: its feature maps, numbered from 1 as in "
                     "the course, white = high",
                     "#### Ce que voit chaque couche : ses cartes, numérotées à partir de 1 "
                     "comme dans le cours, blanc = élevé"),
    "curves": ("Learning curves",
               "Courbes d'apprentissage"),
    # Draw
    "draw_run": ("Digit network (a run)",
                 "Réseau de chiffres (un entraînement)"),
    "draw_canvas": ("Draw a digit",
                    "Dessinez un chiffre"),
    "draw_help": ("Draw one digit, large, with the mouse or a finger: the network answers "
                  "after every stroke. ↶ undoes a stroke, ✕ clears the canvas.",
                  "Dessinez un chiffre, en grand, à la souris ou au doigt : le réseau répond "
                  "après chaque trait. ↶ annule un trait, ✕ efface tout."),
    "draw_start": ("Draw a digit on the canvas: the network answers after every stroke.",
                   "Dessinez un chiffre : le réseau répond après chaque trait."),
    "draw_no_run": ("No digit network yet: train one in the Train tab (mnist or mnist-viz), "
                    "or start the app with a run directory.",
                    "Pas encore de réseau de chiffres : entraînez-en un dans l'onglet "
                    "Entraîner (mnist ou mnist-viz), ou lancez l'application avec un dossier "
                    "d'entraînement."),
    "draw_busy": ("The server is busy (other learners, or a training): your drawing is "
                  "waiting its turn…",
                  "Le serveur est occupé (d'autres élèves, ou un entraînement) : votre dessin "
                  "attend son tour…"),
    "draw_answer": ("The network reads {label} ({confidence} sure).",
                    "Le réseau lit {label} (sûr à {confidence})."),
    "your_drawing": ("your drawing", "votre dessin"),
    "unsure_answer": ("Unsure: below {p} sure, this run's test answers were right less than "
                      "{target} of the time; and a network always answers one of its classes, "
                      "even for a letter or a cat.",
                      "Hésitant : sous {p} de confiance, les réponses de test de ce run "
                      "étaient justes moins de {target} du temps ; et un réseau répond "
                      "toujours une de ses classes, même pour une lettre ou un chat."),
    "unsure_always_answer": ("Unsure: this run's test answers were never right {target} of "
                             "the time; and a network always answers one of its classes, even "
                             "for a letter or a cat.",
                             "Hésitant : les réponses de test de ce run n'étaient jamais "
                             "justes {target} du temps ; et un réseau répond toujours une de "
                             "ses classes, même pour une lettre ou un chat."),
    "draw_seen": ("What the network receives: 28×28",
                  "Ce que reçoit le réseau : 28×28"),
    # Photo
    "photo_run": ("Network (a run)",
                  "Réseau (un entraînement)"),
    "photo_input": ("Your photo: upload, drop, paste or webcam",
                    "Votre photo : envoyer, déposer, coller ou webcam"),
    "photo_help": ("Any photo up to {megabytes} MB: a cat or a dog for catsdogs; a plane, "
                   "car, bird, cat, deer, dog, frog, horse, ship or truck for CIFAR-10; a "
                   "digit on paper for a digit network.",
                   "Toute photo jusqu'à {megabytes} Mo : un chat ou un chien pour catsdogs ; "
                   "un avion, une voiture, un oiseau, un chat, un cerf, un chien, une "
                   "grenouille, un cheval, un bateau ou un camion pour CIFAR-10 ; un chiffre "
                   "sur papier pour un réseau de chiffres."),
    "photo_start": ("Upload a photo, drop or paste one, or take one with the webcam.",
                    "Envoyez une photo, déposez-en ou collez-en une, ou prenez-en une avec "
                    "la webcam."),
    "photo_no_run": ("No run yet: train one in the Train tab, or start the app with a run "
                     "directory.",
                     "Pas encore d'entraînement : lancez-en un dans l'onglet Entraîner, ou "
                     "lancez l'application avec un dossier d'entraînement."),
    "photo_answer": ("The network sees {label} ({confidence} sure) in the photo made "
                     "{height}×{width}.",
                     "Le réseau voit {label} (sûr à {confidence}) dans la photo réduite à "
                     "{height}×{width}."),
    "your_photo": ("your photo", "votre photo"),
    "photo_seen": ("As the network sees it",
                   "Telle que le réseau la voit"),
    # Explore
    "explore_run": ("Run",
                    "Entraînement"),
    "explore_start": ("Choose a run.",
                      "Choisissez un entraînement."),
    "report_link": ("Open this run's HTML report",
                    "Ouvrir le rapport HTML de cet entraînement"),
    "status_complete": ("complete", "terminé"),
    "status_running": ("running", "en cours"),
    "status_interrupted": ("stopped", "arrêté"),
    "row_run": ("Run",
                "Entraînement"),
    "row_recipe": ("Recipe",
                   "Recette"),
    "row_data": ("Data",
                 "Données"),
    "row_epochs": ("Epochs",
                   "Époques"),
    "row_accuracy": ("Test accuracy",
                     "Précision sur le test"),
    "row_weights": ("Weights",
                    "Poids"),
    "row_time": ("Training time",
                 "Durée d'entraînement"),
    "row_unsure": ("Unsure below",
                   "Hésitant sous"),
    "unsure_row": ("{p} of confidence (calibration error {ece})",
                   "{p} de confiance (erreur de calibration {ece})"),
    "unsure_row_always": ("any confidence (calibration error {ece})",
                          "toute confiance (erreur de calibration {ece})"),
    "training_images": ("training images",
                        "images d'entraînement"),
    "app_test_images": ("test images",
                        "images de test"),
    "per_class": ("Accuracy per class:",
                  "Précision par classe :"),
    "confusion": ("Confusion matrix (rows: true class; columns: predicted): click a cell",
                  "Matrice de confusion (lignes : vraie classe ; colonnes : prédite) : "
                  "cliquez une case"),
    "confusion_corner": ("true \\ predicted",
                         "vraie \\ prédite"),
    "cell_help": ("Click a cell of the matrix to see its test images.",
                  "Cliquez une case de la matrice pour voir ses images de test."),
    "cell_message": ("{count} test images of {true} taken for {predicted} (the {shown} "
                     "surest shown); click one to look inside.",
                     "{count} images de test de {true} prises pour {predicted} (les {shown} "
                     "plus sûres) ; cliquez-en une pour regarder dedans."),
    "mistakes": ("Most confident mistakes: click one to look inside",
                 "Erreurs les plus sûres d'elles : cliquez-en une pour regarder dedans"),
    "mistake_caption": ("{true} → {predicted} {confidence}",
                        "{true} → {predicted} {confidence}"),
    "inspect_heading": ("### Look inside one test image",
                        "### Regarder à l'intérieur d'une image de test"),
    "test_index": ("Test image number",
                   "Numéro de l'image de test"),
    "show": ("Show",
             "Afficher"),
    "first_of": ("…or the first test image of class",
                 "…ou la première image de test de"),
    "inspect_right": ("Test image #{index} ({true}): the network says {predicted} "
                      "({confidence}), right.",
                      "Image de test n° {index} ({true}) : le réseau dit {predicted} "
                      "({confidence}), juste."),
    "inspect_wrong": ("Test image #{index} ({true}): the network says {predicted} "
                      "({confidence}), wrong.",
                      "Image de test n° {index} ({true}) : le réseau dit {predicted} "
                      "({confidence}), faux."),
    "index_range": ("the test image number must be between 0 and {last}",
                    "le numéro de l'image de test doit être entre 0 et {last}"),
    "filter_heading": ("One filter across many images (course §4.3)",
                       "Un filtre sur plusieurs images (cours §4.3)"),
    "app_layer": ("Layer",
                  "Couche"),
    "filter": ("Filter (from 1)",
               "Filtre (à partir de 1)"),
    "images": ("Images",
               "Images"),
    "kernels_heading": ("The learned kernels",
                        "Les motifs appris"),
    # Train
    "recipe": ("Recipe (the network)",
               "Recette (le réseau)"),
    "dataset": ("Data",
                "Données"),
    "own_dataset": ("The recipe's own dataset",
                    "Les données de la recette"),
    "own_data": ("The recipe's own dataset, {dataset}, from {where}.",
                 "Les données de la recette, {dataset}, depuis {where}."),
    "part": ("Part",
             "Partie"),
    "app_class": ("Class",
                  "Classe"),
    "photos": ("Photos",
               "Photos"),
    "scanned": ("Every photo was decoded as the network will see it ({height}×{width}).",
                "Chaque photo a été décodée comme le réseau la verra ({height}×{width})."),
    "skipped_heading": ("Files skipped: {count}",
                        "Fichiers écartés : {count}"),
    "app_more_skipped": ("- … and {count} more",
                         "- … et {count} autres"),
    "epochs": ("Epochs",
               "Époques"),
    "limit": ("Train on the first N images (0: all)",
              "Entraîner sur les N premières images (0 : toutes)"),
    "fast": ("--fast: the same layers, in less time",
             "--fast : les mêmes couches, plus vite"),
    "augment": ("Augmentation: random flips, turns, shifts and zooms",
                "Augmentation : retournements, rotations, décalages et zooms au hasard"),
    "start": ("Start",
              "Démarrer"),
    "stop": ("Stop (keeps the last complete epoch)",
             "Arrêter (garde la dernière époque finie)"),
    "resume_run": ("A stopped run",
                   "Un entraînement arrêté"),
    "resume": ("Resume",
               "Reprendre"),
    "resume_choose": ("Choose a stopped run to resume.",
                      "Choisissez un entraînement arrêté à reprendre."),
    "train_started": ("Started {recipe} → {run}.",
                      "{recipe} démarré → {run}."),
    "train_resumed": ("Resuming {run}.",
                      "Reprise de {run}."),
    "train_stopping": ("Stopping after the current step; the last complete epoch is kept.",
                       "Arrêt après l'étape en cours ; la dernière époque finie est gardée."),
    "train_nothing": ("No training is running.",
                      "Aucun entraînement en cours."),
    "train_idle": ("No training yet. Choose a recipe and its data, then Start: one training "
                   "runs at a time, and it goes on if you close the page.",
                   "Pas encore d'entraînement. Choisissez une recette et ses données, puis "
                   "Démarrer : un seul entraînement à la fois, et il continue si vous fermez "
                   "la page."),
    "state_running": ("Training {recipe} → {run}: {epochs}/{planned} epochs done. One "
                      "training runs at a time: Start is back when it ends or is stopped.",
                      "Entraînement de {recipe} → {run} : {epochs}/{planned} époques faites. "
                      "Un seul entraînement à la fois : Démarrer revient quand il finit ou "
                      "est arrêté."),
    "state_stopping": ("Stopping {recipe} → {run} after the current step…",
                       "Arrêt de {recipe} → {run} après l'étape en cours…"),
    "state_complete": ("Finished {recipe} → {run}: {epochs}/{planned} epochs.",
                       "Terminé : {recipe} → {run}, {epochs}/{planned} époques."),
    "state_interrupted": ("Stopped {recipe} → {run} after {epochs}/{planned} epochs; Resume "
                          "continues it.",
                          "Arrêté : {recipe} → {run} après {epochs}/{planned} époques ; "
                          "Reprendre le continue."),
    "state_failed": ("{recipe} → {run} failed: {error}",
                     "{recipe} → {run} a échoué : {error}"),
    "final_accuracy": ("Test accuracy {accuracy}.",
                       "Précision sur le test : {accuracy}."),
    "progress": ("Epoch {epoch}/{epochs} · step {step}/{steps}",
                 "Époque {epoch}/{epochs} · étape {step}/{steps}"),
    "epoch_table": ("Epoch by epoch",
                    "Époque par époque"),
    "col_epoch": ("epoch",
                  "époque"),
    "col_loss": ("loss",
                 "perte"),
    "col_accuracy": ("accuracy",
                     "précision"),
    "col_test_loss": ("test loss",
                      "perte test"),
    "col_test_accuracy": ("test accuracy",
                          "précision test"),
    "col_seconds": ("seconds",
                    "secondes"),
    "drop_heading": ("Your own photos, class by class",
                     "Vos propres photos, classe par classe"),
    "drop_help": ("Name a set and a class, drop that class's photos, Add; again for each "
                  "class (two at least, a few dozen photos each). They are kept under the "
                  "runs root in photos/SET/CLASS/; then choose the set as Data.",
                  "Nommez un jeu et une classe, déposez les photos de cette classe, Ajouter "
                  "; recommencez pour chaque classe (deux au moins, quelques dizaines de "
                  "photos chacune). Elles sont gardées sous le dossier des entraînements, "
                  "dans photos/JEU/CLASSE/ ; choisissez ensuite le jeu comme Données."),
    "set_name": ("Set name",
                 "Nom du jeu"),
    "class_name": ("Class name (e.g. cats)",
                   "Nom de la classe (par ex. chats)"),
    "drop_files": ("Photos of this class",
                   "Photos de cette classe"),
    "add": ("Add to this class",
            "Ajouter à cette classe"),
    "add_none": ("Drop some photos first.",
                 "Déposez d'abord des photos."),
    "added": ("{count} photo(s) added to class {klass} of set {set}.",
              "{count} photo(s) ajoutée(s) à la classe {klass} du jeu {set}."),
    # inside one number: a click on the maps (the arithmetic's own words are the report's
    # trace_* ones)
    "arith_heading": ("#### Inside one number: click a value in the maps above, or a class "
                      "in the probabilities",
                      "#### Dans un nombre : cliquez une valeur des cartes ci-dessus, ou une "
                      "classe dans les probabilités"),
    "arith_invite": ("Click inside a map above, or on a class in the probabilities: the "
                     "arithmetic that gives that value, from what its layer received, shows "
                     "here.",
                     "Cliquez dans une carte ci-dessus, ou sur une classe dans les "
                     "probabilités : le calcul qui donne cette valeur, à partir de ce que sa "
                     "couche a reçu, s'affiche ici."),
    "arith_no_dense": ("This network has no dense layer: its class scores come from another "
                       "kind of layer, which this panel does not explain.",
                       "Ce réseau n'a pas de couche dense : ses scores de classe viennent "
                       "d'une autre sorte de couche, que ce panneau n'explique pas."),
    "arith_laid": (" (its {maps} maps of {height}×{width} laid in a row)",
                   " (ses {maps} cartes de {height}×{width} mises bout à bout)"),
    "arith_products": ("Its {n} inputs{laid}, each times its weight for this class; the {shown} "
                       "largest products:",
                       "Ses {n} entrées{laid}, chacune fois son poids pour cette classe ; les "
                       "{shown} plus grands produits :"),
    "arith_input": ("input", "entrée"),
    "arith_value": ("value", "valeur"),
    "arith_weight": ("× weight", "× poids"),
    "arith_product": ("= product", "= produit"),
    "arith_input_at": ("map {map}, row {row}, column {col}",
                       "carte {map}, ligne {row}, colonne {col}"),
    "arith_input_number": ("input {i}", "entrée {i}"),
    "arith_score": ("Σ of all {n} products = {sum}, + bias {bias} = {score}: the class's "
                    "score (its logit).",
                    "Σ des {n} produits = {sum}, + biais {bias} = {score} : le score de la "
                    "classe (son logit)."),
    "arith_softmax": ("Softmax turns the {count} scores into the probabilities shown: each "
                      "class gets exp(its score) ÷ the sum of exp(every score). Taking the "
                      "largest score ({top}) off each first changes no ratio and keeps the "
                      "numbers small; their sum here is {total}.",
                      "La softmax transforme les {count} scores en les probabilités "
                      "affichées : chaque classe reçoit exp(son score) ÷ la somme des "
                      "exp(de chaque score). Retrancher d'abord le plus grand score ({top}) ne "
                      "change aucun rapport et garde de petits nombres ; leur somme ici vaut "
                      "{total}."),
    "arith_class": ("class", "classe"),
    "arith_score_column": ("score", "score"),
    "arith_exp": ("exp(score − {top})", "exp(score − {top})"),
    "arith_probability": ("probability", "probabilité"),
    "arith_sigmoid": ("One output for two classes: the sigmoid of the score, 1 ÷ (1 + "
                      "exp(−score)) with score = {score}, gives {p}, the probability of "
                      "{second}; {first} gets the rest, {q}.",
                      "Une sortie pour deux classes : la sigmoïde du score, 1 ÷ (1 + "
                      "exp(−score)) avec score = {score}, donne {p}, la probabilité de "
                      "{second} ; {first} reçoit le reste, {q}."),
    "arith_function": ("{function} → {value}.", "{function} → {value}."),
    "arith_field": ("It depends on the input's rows {top}–{bottom}, columns {left}–{right} "
                    "({height}×{width} pixels: its receptive field, outlined on the input).",
                    "Elle dépend des lignes {top}–{bottom}, colonnes {left}–{right} de "
                    "l'entrée ({height}×{width} pixels : son champ récepteur, encadré sur "
                    "l'entrée)."),
    # what each class looks for: the output layer's weights as maps (Explore)
    "weights_heading": ("What each class looks for (the output layer's weights as maps)",
                        "Ce que cherche chaque classe (les poids de la couche de sortie en "
                        "cartes)"),
    "weights_class": ("Class", "Classe"),
    "weights_choose": ("Choose a class: its weights show as the maps the layer receives, red "
                       "where a high value raises its score, blue where it lowers it.",
                       "Choisissez une classe : ses poids s'affichent comme les cartes que "
                       "reçoit la couche, en rouge là où une valeur élevée augmente son score, "
                       "en bleu là où elle le diminue."),
    # can this map be trusted: the sanity check of Grad-CAM (explain --check)
    "trust_tick": ("Can this map be trusted? Check the Grad-CAM map",
                   "Peut-on se fier à cette carte ? Vérifier la carte Grad-CAM"),
    "trust_help": ("Ticked, the app computes Grad-CAM again for the runner-up class and on "
                   "copies of the network whose learnt weights are erased layer by layer from "
                   "the top, ρ being each map's rank correlation with the trained one (a few "
                   "seconds).",
                   "Cochée, l'application recalcule Grad-CAM pour la classe suivante et sur "
                   "des copies du réseau dont les poids appris sont effacés couche par "
                   "couche depuis le haut, ρ étant la corrélation de rang de chaque carte "
                   "avec celle du réseau entraîné (quelques secondes)."),
    "trust_nothing": ("Nothing to check yet: draw or choose a picture first.",
                      "Rien à vérifier pour l'instant : dessinez ou choisissez d'abord une "
                      "image."),
    "trust_title": ("Can this map be trusted? Grad-CAM of layer {layer}, trained, then "
                    "randomised from the top",
                    "Peut-on se fier à cette carte ? Grad-CAM de la couche {layer}, entraînée, "
                    "puis rendue aléatoire depuis le haut"),
    "arith_field_picture": ("What this value sees",
                            "Ce que voit cette valeur"),
}
