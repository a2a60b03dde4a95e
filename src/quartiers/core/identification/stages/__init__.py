"""Les étapes de la méthode, dans l'ordre où `identify()` les enchaîne (README, « La méthode »).

- `criterion` : le critère choisi (revenu médian, ou part de ménages pauvres) et sa valeur par
  carreau ;
- `territories` : 1. chaque carreau dans son territoire urbain (unité urbaine ; outre-mer, la
  commune ; à défaut de communes, la grille entière) ;
- `thresholds` : 2. le seuil de chaque territoire (médianes nationale, locale, du département) ;
- `candidates` : 3. les carreaux candidats, ceux que le critère retient sous le seuil ;
- `aggregation` : 4. les agrégats de candidats contigus et leurs enclaves (outil : `labelling`) ;
- `checks` : 5. les tests du décret sur chaque agrégat (population, densité, critère) ;
- `trimming` : 6. le rognage des agrégats qui échouent seulement au critère ;
- `explanations` : 7. les agrégats publiés, leurs codes, le statut et le numéro de chaque carreau.

Chaque étape est une fonction qui reçoit les résultats typés des précédentes et rend le sien
(une petite classe figée), avec les avertissements qu'elle a produits.
"""
