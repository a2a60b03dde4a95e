"""Dit (code retour) si la base PostgreSQL de l'URL répond ; ne modifie rien."""

import sys

import psycopg


def main() -> int:
    url = sys.argv[1]
    try:
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3):
            return 0
    except Exception as exc:  # on veut seulement savoir si le serveur répond
        print(f"PostgreSQL indisponible : {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
