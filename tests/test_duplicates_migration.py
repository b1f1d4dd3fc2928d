"""m015 turns the every-pair rows that duplicate detection recorded before into the rows it records
now: each exact copy linked to the first article of its body, near pairs between first articles.
The pairs of an archive written before are worked out by hand."""

import sqlite3

from newsarchive.archive import open_archive
from tests.conftest import archive_without_migration

# Articles 1, 2 and 4 share a body; 3 and 5 are near it, 6 and 7 share another, 8 has its own.
OLD_PAIRS = [(2, 1, "exact"), (4, 1, "exact"), (4, 2, "exact"),  # every pair of the three copies
             (3, 1, "near"), (3, 2, "near"), (4, 3, "near"),  # 3 near each copy
             (5, 1, "near"), (5, 2, "near"), (5, 4, "near"), (5, 3, "near"),  # 5 near the copies and 3
             (7, 6, "exact")]


def archive_before_m015(path):
    db = archive_without_migration(path, "m015_copies_linked_to_the_first")
    for n in range(1, 9):
        db.execute("INSERT INTO articles (id, url, canonical_url, title, body_text, content_hash) "
                   "VALUES (?, ?, ?, 'T', 'B', 'h')", [n, f"https://n.example/{n}", f"https://n.example/{n}"])
    for later, earlier_id, kind in OLD_PAIRS:
        db.execute("INSERT INTO duplicates (article_id, duplicate_of, kind, similarity, found_at) "
                   "VALUES (?, ?, ?, ?, '2026-01-01T10:00:00Z')", [later, earlier_id, kind, 1.0 if kind == "exact" else 0.9])
    db.conn.commit()
    db.close()


def test_every_pair_of_copies_becomes_one_row_a_copy_to_the_first(tmp_path):
    path = tmp_path / "old.db"
    archive_before_m015(path)
    open_archive(path).close()  # migrates
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT article_id, duplicate_of, kind FROM duplicates ORDER BY article_id, duplicate_of"
                          ).fetchall() == [(2, 1, "exact"), (3, 1, "near"), (4, 1, "exact"), (5, 1, "near"),
                                           (5, 3, "near"), (7, 6, "exact")]
