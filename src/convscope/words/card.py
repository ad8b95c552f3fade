"""A run's card (what a run shows of itself in a notebook and at the head of its report), a
comparison's table, and the sentence computed from the learning curves (``verdict_*``)."""

WORDS: dict[str, tuple[str, str]] = {
    "card_final": ("final test accuracy",
                   "précision finale (test)"),
    "card_best": ("best test accuracy",
                  "meilleure précision (test)"),
    "card_time": ("training time",
                  "durée d'apprentissage"),
    "card_speed": ("images/s",
                   "images/s"),
    "card_epoch": ("epoch",
                   "époque"),
    "card_recipe": ("recipe",
                    "recette"),
    "card_model": ("your model: {name}",
                   "votre modèle : {name}"),
    "card_augmentation": ("augmentation (training only)",
                          "augmentation (apprentissage seulement)"),
    "card_data": ("data",
                  "données"),
    "card_classes": ("classes",
                     "classes"),
    "card_train_images": ("training images",
                          "images d'apprentissage"),
    "card_test_images": ("test images",
                         "images de test"),
    "card_epochs": ("epochs",
                    "époques"),
    "card_weights": ("weights",
                     "poids"),
    "card_device": ("device",
                    "machine"),
    # Precision of the arithmetic: the course's French uses "précision" for accuracy.
    "card_precision": ("arithmetic",
                       "arithmétique"),
    "precision_asked": ("{precision} (asked)",
                        "{precision} (demandé)"),
    "precision_gpu": ("{precision} (GPU rule: bfloat16 from compute capability 8.0)",
                      "{precision} (règle des GPU : bfloat16 dès la capacité de calcul 8.0)"),
    "precision_measured": ("{precision}: ×{speedup} measured here (batch {batch})",
                           "{precision} : ×{speedup} mesuré ici (lots de {batch})"),
    "precision_not_worth": ("{precision}: bfloat16 only ×{speedup} measured here (batch {batch})",
                            "{precision} : bfloat16 seulement ×{speedup} mesuré ici (lots de "
                            "{batch})"),
    "card_versions": ("versions",
                      "versions"),
    "card_date": ("date",
                  "date"),
    "card_seed": ("seed",
                  "graine"),
    "card_complete": ("complete",
                      "terminé"),
    "card_running": ("running or stopped abruptly",
                     "en cours ou arrêté net"),
    "card_interrupted": ("interrupted (continue with convscope train --resume)",
                         "interrompu (reprendre avec convscope train --resume)"),
    "card_missing": ("not in this run: {what}",
                     "absent de ce run : {what}"),
    "card_damaged": ("{what} is damaged ({why})",
                     "{what} est endommagé ({why})"),
    "card_curves": ("Learning curves: training and test accuracy and loss per epoch.",
                    "Courbes d'apprentissage : précision et erreur par époque, apprentissage "
                    "et test."),
    "card_no_model_data": ("a bare model: no dataset",
                           "un modèle seul : pas de données"),
    "card_of": ("of",
                "sur"),
    "card_more": ("…",
                  "…"),
    "card_target": ("stopped on reaching {target} test accuracy (--until-accuracy)",
                    "arrêté en atteignant {target} de précision de test (--until-accuracy)"),
    "card_compared": ("Runs compared",
                      "Runs comparés"),
    "card_run": ("run",
                 "run"),
    "card_parameters": ("weights",
                        "poids"),
    "card_s_epoch": ("s/epoch",
                     "s/époque"),
    "card_best_train": ("best training",
                        "meilleure (apprentissage)"),
    "card_final_train": ("final training",
                         "finale (apprentissage)"),
    "card_final_test": ("final test",
                        "finale (test)"),
    "card_best_test": ("best test",
                       "meilleure (test)"),
    "card_compare_curves": ("Test (solid) and training (dashed) accuracy of each run: where "
                            "a run's two lines part, it learns its training images by heart.",
                            "Précision de test (trait plein) et d'apprentissage (tirets) de "
                            "chaque run : là où les deux lignes d'un run se séparent, il "
                            "apprend ses images d'apprentissage par cœur."),
    "verdict_one_epoch": ("One epoch only: {train} training accuracy, {test} test accuracy; "
                          "too early to see the curves part.",
                          "Une seule époque : précision de {train} en apprentissage et de "
                          "{test} en test ; trop tôt pour voir les courbes se séparer."),
    "verdict_parted": ("From epoch {parted} on, training accuracy pulls away from test "
                       "accuracy: {train} against {test} at the end, {points} points apart. "
                       "The network is learning its training images by heart (over-fitting).",
                       "À partir de l'époque {parted}, la précision d'apprentissage s'écarte "
                       "de celle de test : {train} contre {test} à la fin, {points} points "
                       "d'écart. Le réseau apprend ses images d'apprentissage par cœur "
                       "(sur-apprentissage)."),
    "verdict_test_above": ("Test accuracy is above training accuracy ({test} against {train} "
                           "at the end): the training figure is an average over epochs in "
                           "which the network kept improving, on images made harder "
                           "(dropout, augmentation); the network is not learning its "
                           "training images by heart.",
                           "La précision de test est au-dessus de celle d'apprentissage "
                           "({test} contre {train} à la fin) : celle d'apprentissage est une "
                           "moyenne sur des époques où le réseau progressait encore, sur des "
                           "images rendues plus difficiles (dropout, augmentation) ; le "
                           "réseau n'apprend pas ses images par cœur."),
    "verdict_together": ("Training and test accuracy stay together ({points} points apart at "
                         "the end): no sign of over-fitting.",
                         "Les précisions d'apprentissage et de test restent proches "
                         "({points} points d'écart à la fin) : pas de signe de "
                         "sur-apprentissage."),
    "verdict_together_loss_rises": ("Training and test accuracy stay close ({points} points "
                                    "apart at the end), but the test loss is lowest at epoch "
                                    "{low_epoch} ({low}) and rises afterwards ({end} at the "
                                    "end): a first sign of over-fitting.",
                                    "Les précisions d'apprentissage et de test restent "
                                    "proches ({points} points d'écart à la fin), mais "
                                    "l'erreur de test est au plus bas à l'époque {low_epoch} "
                                    "({low}) puis remonte ({end} à la fin) : premier signe "
                                    "de sur-apprentissage."),
    "verdict_loss_rises": ("The test loss is lowest at epoch {low_epoch} ({low}) and rises "
                           "afterwards ({end} at the end).",
                           "L'erreur de test est au plus bas à l'époque {low_epoch} ({low}) "
                           "puis remonte ({end} à la fin)."),
    "verdict_still_rising": ("Test accuracy was still rising at the last epoch: more epochs "
                             "may help.",
                             "La précision de test montait encore à la dernière époque : "
                             "plus d'époques peuvent aider."),
    "verdict_best": ("Best test accuracy: {best} at epoch {best_epoch}.",
                     "Meilleure précision de test : {best} à l'époque {best_epoch}."),
}
