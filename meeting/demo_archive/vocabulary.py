"""What ten years of Fridays at Le 97 talk about: people, themes, texts (French content of the
place, not interface strings: never translated).

Each theme groups the titles of points, what their authors wrote, what was decided and who
does what, so that a decision reads as the answer to its point. Words come in several forms
(réunion / réunions, événement / évènement / evenement, vélo / vélos, atelier / ateliers) so
that search has stems and accents to fold.
"""

# (display name, e-mail local part, role); the first twelve are the small demo's people.
PEOPLE = [
    ("Claire Morel", "admin", "admin"),
    ("Camille Vernier", "camille", "facilitator"),
    ("Mathieu Roussel", "mathieu", "facilitator"),
    ("Inès Benali", "ines", "member"),
    ("Lucie Faivre", "lucie", "member"),
    ("Théo Girardot", "theo", "member"),
    ("Nadia Cheikh", "nadia", "member"),
    ("Pierre-Alain Jacquot", "pierre-alain", "member"),
    ("Sophie Marchand", "sophie", "member"),
    ("Hugo Perrin", "hugo", "member"),
    ("Fatou Diallo", "fatou", "member"),
    ("Jeanne Bourgeois", "jeanne", "member"),
    ("Élise Cuenot", "elise", "facilitator"),
    ("Benoît Tissot", "benoit", "member"),
    ("Margaux Lambert", "margaux", "member"),
    ("Karim Haddad", "karim", "member"),
    ("Aurélie Vuillemin", "aurelie", "member"),
    ("Julien Grosjean", "julien", "member"),
    ("Agnès Pourchet", "agnes", "member"),
    ("Yannick Bobillier", "yannick", "facilitator"),
    ("Léa Monnier", "lea", "member"),
    ("Samir Ouali", "samir", "member"),
    ("Odile Bérard", "odile", "member"),
    ("Rémi Courvoisier", "remi", "member"),
    ("Chloé Pétetin", "chloe", "member"),
    ("Gaston Lhomme", "gaston", "member"),
    ("Mélanie Racine", "melanie", "member"),
    ("Antoine Cretin", "antoine", "member"),
    ("Zoé Fleury", "zoe", "member"),
    ("Bernard Sirugue", "bernard", "member"),
    ("Amandine Jeannin", "amandine", "facilitator"),
    ("Noé Bouvresse", "noe", "member"),
    ("Hélène Guyon", "helene", "member"),
    ("Mamadou Keita", "mamadou", "member"),
    ("Capucine Roy", "capucine", "member"),
    ("Victor Étienne", "victor", "member"),
    ("Solène Mougin", "solene", "member"),
    ("Jérôme Faivre-Pierret", "jerome", "member"),
    ("Anouk Billot", "anouk", "member"),
    ("Lionel Parrenin", "lionel", "member"),
]

GUESTS = [
    "Maëlle", "Arthur", "Rosa", "Joseph", "Yasmine", "Paul", "Louise", "Ibrahim", "Manon",
    "Gérard", "Céline", "Tom", "Nour", "Bastien", "Ophélie", "Dimitri", "Anaïs", "Luc",
]  # fmt: skip

DAYS = ["samedi matin", "dimanche après-midi", "mercredi soir", "jeudi soir", "samedi"]
AMOUNTS = [40, 60, 80, 120, 150, 200, 250, 300, 450, 600, 800]

# theme: titles of points, bodies, decision statements, actions (verb first). Placeholders:
# {day} (a moment of the week), {amount} (euros).
THEMES = {
    "vélo": (
        ["Atelier vélo du samedi", "Les vélos de la ressourcerie", "Un local pour l’atelier vélo"],
        [
            (
                "L’atelier vélo manque de chambres à air et de rustines ; les vélos donnés "
                "s’entassent dans la cour."
            ),
            (
                "Des voisin·es demandent quand l’atelier vélo rouvre : on a eu **douze vélos** à "
                "réparer le mois dernier."
            ),
        ],
        [
            "L’atelier vélo ouvre **chaque {day}** ; deux bénévoles au moins tiennent l’atelier.",
            "On achète un pied d’atelier et un jeu de clés pour les vélos (budget : {amount} €).",
            "Les vélos non réclamés après trois mois vont à la ressourcerie.",
        ],
        [
            "Commander des chambres à air",
            "Afficher les horaires de l’atelier vélo",
            "Trier les vélos de la cour",
            "Demander un devis pour le pied d’atelier",
        ],
    ),
    "soupe": (
        ["Soupe de légumes du vendredi", "Les repas du vendredi", "Cuisine partagée"],
        [
            "Qui prépare la soupe de légumes ? Les invendus du marché arrivent le jeudi soir.",
            "Les repas du vendredi débordent : on était trente la semaine dernière.",
        ],
        [
            (
                "La soupe de légumes est préparée à tour de rôle, inscription au tableau de la "
                "cuisine."
            ),
            "Les repas du vendredi restent **à prix libre** ; une boîte à la sortie.",
            "On récupère les invendus du marché Beaux-Arts chaque jeudi.",
        ],
        [
            "Récupérer les invendus du marché",
            "Acheter une grande marmite",
            "Mettre à jour le tableau des repas",
            "Nettoyer la chambre froide",
        ],
    ),
    "chantier": (
        ["Chantier participatif de la cour", "Toiture de l’atelier", "Isolation du grenier"],
        [
            "La gouttière de l’atelier fuit encore ; un chantier participatif un {day} ?",
            "On a reçu de la laine de bois : il faudrait l’isoler au grenier avant l’hiver.",
        ],
        [
            "Un chantier participatif a lieu le {day} ; repas offert aux bénévoles.",
            "On confie la toiture à un artisan (devis de {amount} € accepté).",
            "Les chantiers participatifs sont annoncés quinze jours avant, affiche et liste.",
        ],
        [
            "Louer un échafaudage",
            "Acheter les vis et les tasseaux",
            "Prévenir les voisins du chantier",
            "Faire le plan du grenier",
        ],
    ),
    "permanence": (
        ["Permanences du samedi", "Qui ouvre la maison ?", "Les clés du 97"],
        [
            "Le samedi matin la maison reste souvent fermée : il faut des permanences.",
            "Trop de trousseaux de clés circulent ; on ne sait plus qui en a.",
        ],
        [
            (
                "Deux personnes assurent la **permanence du {day}**, à tour de rôle, inscrites sur "
                "le tableau de l’entrée."
            ),
            "Les clés sont listées dans un cahier ; chaque trousseau a un nom.",
            "On installe une boîte à clés à code pour les permanences.",
        ],
        [
            "Dessiner le tableau des permanences",
            "Faire refaire deux clés",
            "Relancer les inscriptions aux permanences",
            "Installer la boîte à clés",
        ],
    ),
    "fête": (
        ["Fête de quartier", "Bilan de la fête de quartier", "Fête de la musique à Battant"],
        [
            "La fête de quartier approche : il faut des tables, une buvette et des bras.",
            "Bilan de la fête : beaucoup de monde, mais la buvette a manqué de verres.",
        ],
        [
            "Le 97 participe à la fête de quartier avec une buvette à prix libre.",
            "Pour la prochaine fête, on loue des verres consignés ({amount} €).",
            "La fête de quartier se tient dans la cour et la rue, avec l’accord de la mairie.",
        ],
        [
            "Déclarer la fête en mairie",
            "Emprunter des tables à la MJC",
            "Faire l’affiche de la fête",
            "Rendre les verres consignés",
        ],
    ),
    "jardin": (
        ["Jardin du Ravelin", "Le compost du jardin", "Arrosage cet été"],
        [
            "Les buttes du Jardin du Ravelin sont à pailler avant le gel.",
            "Le composteur déborde ; il faudrait un deuxième bac.",
        ],
        [
            "On construit un deuxième bac à compost au Jardin du Ravelin.",
            "L’arrosage du jardin se fait à tour de rôle en juillet et en août.",
            "Les récoltes du jardin vont d’abord à la soupe du vendredi.",
        ],
        [
            "Récupérer des palettes pour le compost",
            "Pailler les buttes",
            "Faire le planning d’arrosage",
            "Commander des graines",
        ],
    ),
    "budget": (
        ["Budget de l’année", "Où en est-on ?", "Loyer et charges", "Assurance de la maison"],
        [
            "Le budget de l’année est serré : il manque encore une part des charges fixes.",
            "L’assurance augmente ; faut-il changer de contrat ?",
        ],
        [
            "Le budget de l’année est adopté ; on en reparle chaque premier vendredi du mois.",
            "On lance un appel à dons pour les charges fixes (objectif : {amount} € par mois).",
            "On change d’assurance : le nouveau contrat couvre aussi les événements.",
        ],
        [
            "Mettre à jour le tableau du budget",
            "Écrire l’appel à dons",
            "Comparer trois devis d’assurance",
            "Relancer les contributions en retard",
        ],
    ),
    "réunion": (
        ["Nos réunions du vendredi", "Durée des réunions", "Accueillir les nouvelles personnes"],
        [
            "Les réunions débordent sur l’après-midi ; comment tenir les deux heures ?",
            "Des nouvelles et nouveaux arrivent sans savoir comment marchent nos réunions.",
        ],
        [
            (
                "Chaque réunion garde un gardien ou une gardienne du temps ; un point dure 15 "
                "minutes au plus."
            ),
            "Un livret d’accueil explique nos réunions et la décision par consentement.",
            "Le compte rendu de chaque réunion est envoyé à tous le samedi.",
        ],
        [
            "Écrire le livret d’accueil",
            "Imprimer le livret d’accueil",
            "Préparer un atelier sur le consentement",
        ],
    ),
    "chauffage": (
        ["Chauffage du premier étage", "Économies d’énergie", "La chaudière"],
        [
            "Le chauffage du premier étage fait un bruit étrange ; qui connaît un chauffagiste ?",
            "La facture de gaz a doublé : on baisse la température ?",
        ],
        [
            "On règle le chauffage à 18 °C ; les salles vides restent hors gel.",
            "La chaudière est entretenue chaque automne par un chauffagiste ({amount} €).",
        ],
        ["Appeler le chauffagiste", "Poser des thermostats", "Relever les compteurs"],
    ),
    "événement": (
        ["Calendrier des événements", "Trop d’événements ?", "Événements de la rentrée"],
        [
            "Le calendrier des événements est plein en novembre : trois soirées par semaine.",
            "Les évènements du week-end fatiguent l’équipe de la conciergerie.",
        ],
        [
            "Au plus deux événements par semaine dans la grande salle.",
            "Chaque événement a une personne référente présente du début à la fin.",
        ],
        ["Mettre à jour le calendrier des événements", "Écrire la fiche du référent d’événement"],
    ),
    "ménage": (
        ["Ménage de la maison", "Tri des déchets", "Les toilettes du rez-de-chaussée"],
        [
            "Le ménage repose toujours sur les mêmes personnes.",
            "Les poubelles de tri débordent après chaque soirée.",
        ],
        [
            "Un grand ménage collectif a lieu chaque premier {day} du mois.",
            "Chaque événement laisse la salle rangée et les poubelles sorties.",
        ],
        ["Acheter des produits ménagers", "Afficher les consignes de tri", "Sortir les poubelles"],
    ),
    "bibliothèque": (
        ["Bibliothèque partagée", "Les livres donnés", "Ludothèque"],
        [
            "Des cartons de livres attendent dans l’entrée ; on fait une bibliothèque ?",
            "Les jeux de société se perdent : il manque des pièces à la moitié.",
        ],
        [
            "Une bibliothèque partagée s’installe au premier étage, en libre accès.",
            "Les jeux de la ludothèque sortent avec une fiche d’emprunt.",
        ],
        ["Monter les étagères", "Trier les cartons de livres", "Faire les fiches d’emprunt"],
    ),
}

MOODS = [
    "Contente de retrouver tout le monde après deux semaines à Lyon.",
    "Un peu fatigué, mais la soirée jeux de mardi m’a fait du bien.",
    "Je me sens bien au 97 en ce moment : la cuisine est enfin rangée !",
    "J’arrive avec la tête pleine du boulot ; je vais écouter plus que parler.",
    "Heureuse de l’atelier couture de samedi : des voisines sont venues pour la première fois.",
    "Je trouve qu’on parle beaucoup d’argent ces temps-ci ; gardons du temps pour les projets.",
    "Fier du chantier de dimanche : la cour a changé de visage.",
    "Inquiète pour le budget, mais confiante dans le groupe.",
    "La fête de quartier m’a réconcilié avec Battant.",
    "Enrhumé, je resterai au fond de la salle.",
    "Très contente que la soupe soit devenue un rendez-vous.",
    "Un peu perdu avec tous les événements du mois, j’aimerais un calendrier plus clair.",
    "Reconnaissant pour le coup de main au déménagement.",
    "Je trouve nos réunions plus calmes depuis qu’on a un gardien du temps.",
    "Le jardin me fait un bien fou, venez voir les courges !",
    "Fatiguée par les soirées tardives ; on pourrait finir plus tôt ?",
]

NEEDS = [
    ("Du savon", "Il n’y a plus de savon dans les toilettes du rez-de-chaussée."),
    ("Liquide vaisselle", "Plus de liquide vaisselle à la cuisine."),
    ("De l’huile", "L’huile d’olive de la cuisine est presque finie."),
    ("Un coup de main au jardin", "Un coup de main samedi 10 h pour pailler les buttes."),
    ("Des chaises", "Il manque une vingtaine de chaises pour la projection."),
    ("Une rallonge", "Une rallonge de dix mètres pour la cour."),
    ("Du café", "Le café du vendredi est fini ; quelqu’un passe à l’épicerie ?"),
    ("Des ampoules", "Trois ampoules grillées dans l’escalier."),
    ("Une voiture samedi", "Une voiture pour aller chercher des palettes à la ressourcerie."),
    ("Des bras pour le ménage", "Des bras pour le grand ménage du mois."),
    ("Du papier toilette", "Plus de papier toilette à l’étage."),
    ("Un vidéoprojecteur", "Le vidéoprojecteur est en panne ; quelqu’un peut en prêter un ?"),
    ("Des sacs de terreau", "Quatre sacs de terreau pour les semis."),
    ("De la vaisselle", "Des assiettes et des verres pour la fête de quartier."),
]

CLAIM_NOTES = ["j’en prends au marché", "je passe jeudi", "j’ai ça à la maison", None, None]

# (title, description, place)
EVENTS = [
    ("Projection « Les Doléances »", "Projection du documentaire puis discussion.", "house"),
    ("Atelier couture", "Apprendre à repriser et à raccommoder, machines fournies.", "house"),
    ("Repair café", "On répare ensemble petit électroménager, vélos et vêtements.", "house"),
    ("Soirée jeux", "Jeux de société pour tous les âges, avec la ludothèque.", "house"),
    ("Concert acoustique", "Un duo guitare et voix dans la cour.", "house"),
    ("Apéro politique", "Parler du quartier, sans parti ni tribune.", "house"),
    ("Bourse aux plantes", "Échange de boutures et de graines.", "garden"),
    ("Atelier maraîchage", "Préparer les semis et faire un compost chaud.", "garden"),
    ("Vide-grenier de Battant", "Un vide-grenier dans la rue, stands gratuits.", "elsewhere"),
    ("Conférence gesticulée", "Une conférence gesticulée sur le travail.", "house"),
    ("Atelier vélo pour enfants", "Apprendre à réparer son vélo dès huit ans.", "house"),
    ("Lecture publique", "Lecture de textes d’habitant·es du quartier.", "house"),
    ("Fête des voisins", "Un repas partagé dans la cour.", "house"),
    ("Atelier cuisine des restes", "Cuisiner les invendus du marché.", "house"),
    ("Balade botanique", "Reconnaître les plantes des remparts.", "elsewhere"),
    ("Chorale du jeudi", "Une chorale ouverte, sans audition.", "house"),
]

MATERIAL = ["Chaises du grenier", "Vidéoprojecteur, rallonge", "Tables de la cour",
            "Graines, terreau, outils", None, None]  # fmt: skip

OBJECTIONS = [
    (
        "Et si personne ne s’inscrit ? Il faut un plan B.",
        "La conciergerie relance le jeudi ; sans inscrit·e, on en reparle.",
    ),
    (
        "Le budget ne le permet pas ce trimestre.",
        "On attend les dons de la fête avant de dépenser ; la dépense est plafonnée.",
    ),
    (
        "Les voisins vont se plaindre du bruit.",
        "Fin à 22 h et on prévient les voisins par un mot dans les boîtes.",
    ),
    (
        "On n’a pas assez de bénévoles.",
        "Un appel à bénévoles part avec le compte rendu ; on fera à trois au moins.",
    ),
    (
        "Cela fait encore une réunion de plus.",
        "On le traite dans la réunion du vendredi, sans réunion en plus.",
    ),
]

DECLINE_REASONS = [
    "Le calendrier est déjà plein ce mois-là.",
    "La grande salle est trop petite pour ce public.",
    "Pas de référent disponible ce soir-là.",
]
