"""The words of exporting: the page that runs an exported network in a browser (``page_*``),
the app's export panel (``export_*``) and the report's mention of it."""

WORDS: dict[str, tuple[str, str]] = {
    # the exported page
    "page_title": ("{label} — in your browser",
                   "{label} — dans votre navigateur"),
    "page_loading": ("Loading the network…",
                     "Chargement du réseau…"),
    "page_failed": ("The network could not start in this browser: {error}",
                    "Le réseau n'a pas pu démarrer dans ce navigateur : {error}"),
    "page_draw": ("Draw a digit",
                  "Dessinez un chiffre"),
    "page_draw_help": ("Draw one digit, large, with the mouse or a finger; the network answers "
                       "after every stroke.",
                       "Dessinez un seul chiffre, en grand, à la souris ou au doigt ; le réseau "
                       "répond après chaque trait."),
    "page_undo": ("Undo",
                  "Annuler"),
    "page_clear": ("Clear",
                   "Effacer"),
    "page_photo": ("Your picture",
                   "Votre image"),
    "page_photo_help": ("Drop a picture here, or tap to choose one or take a photo.",
                        "Déposez une image ici, ou touchez pour en choisir une ou prendre une "
                        "photo."),
    "page_answer": ("{label} ({confidence})",
                    "{label} ({confidence})"),
    "page_waiting": ("The network's answer appears here.",
                     "La réponse du réseau s'affiche ici."),
    "page_no_ink": ("No ink found: draw a digit.",
                    "Aucune encre trouvée : dessinez un chiffre."),
    "page_several_digits": ("Several digits side by side: draw only one.",
                            "Plusieurs chiffres côte à côte : n'en dessinez qu'un."),
    "page_unreadable": ("This file is not a picture this browser can read.",
                        "Ce fichier n'est pas une image que ce navigateur sait lire."),
    "page_probabilities": ("Probabilities",
                           "Probabilités"),
    "page_seen": ("What the network receives ({height}×{width})",
                  "Ce que reçoit le réseau ({height}×{width})"),
    "page_offline": ("Runs in this page, offline: nothing you draw or drop leaves your device. "
                     "ONNX Runtime Web {version} (MIT licence, runtime/LICENSE). The picture "
                     "is prepared as convscope predict prepares it.",
                     "Fonctionne dans cette page, hors ligne : rien de ce que vous dessinez ou "
                     "déposez ne quitte votre appareil. ONNX Runtime Web {version} (licence "
                     "MIT, runtime/LICENSE). L'image est préparée comme convscope predict la "
                     "prépare."),
    "page_accuracy": ("Test accuracy in training: {accuracy}.",
                      "Précision sur le test à l'entraînement : {accuracy}."),
    # the app's export panel (Explore tab)
    "export_heading": ("Take it with you",
                       "L'emporter avec vous"),
    "export_format": ("Export as",
                      "Exporter en"),
    "export_format_onnx": ("ONNX (ONNX Runtime, with a Python example)",
                           "ONNX (ONNX Runtime, avec un exemple Python)"),
    "export_format_litert": ("LiteRT (.tflite, phones)",
                             "LiteRT (.tflite, téléphones)"),
    "export_format_litert_int8": ("LiteRT int8 (4× smaller)",
                                  "LiteRT int8 (4× plus petit)"),
    "export_format_saved_model": ("SavedModel (TensorFlow Serving)",
                                  "SavedModel (TensorFlow Serving)"),
    "export_format_page": ("A web page that runs it offline",
                           "Une page web qui le fait tourner hors ligne"),
    "export_button": ("Export",
                      "Exporter"),
    "export_file": ("Download",
                    "Télécharger"),
    "export_done": ("Checked in its own runtime on {images} test images: largest probability "
                    "difference with Keras {difference}, same class for {agreement}. {size}.",
                    "Vérifié dans son propre moteur sur {images} images de test : plus grand "
                    "écart de probabilité avec Keras {difference}, même classe pour "
                    "{agreement}. {size}."),
    "export_int8": ("Accuracy {before} → {after}.",
                    "Précision {before} → {after}."),
    "export_no_run": ("Choose a run first.",
                      "Choisissez d'abord un entraînement."),
    # the report
    "report_export": ("Take it with you: convscope export {path} --format onnx (or litert, "
                      "saved_model, page) writes this network for ONNX Runtime, LiteRT or "
                      "TensorFlow Serving, or as a web page that runs it offline, checks it "
                      "there against Keras and says what it expects of a picture "
                      "(export.json); the app's Explore tab does the same.",
                      "L'emporter avec vous : convscope export {path} --format onnx (ou "
                      "litert, saved_model, page) écrit ce réseau pour ONNX Runtime, LiteRT ou "
                      "TensorFlow Serving, ou en page web qui le fait tourner hors ligne, l'y "
                      "vérifie contre Keras et dit ce qu'il attend d'une image (export.json) ; "
                      "l'onglet Explorer de l'application fait de même."),
}
