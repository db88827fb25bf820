"""docs/SECURITY.md's roles table is the one the authorization matrix generates."""

from tests.security.roles_table import DOC, END, START, replace_table, roles_table


def test_security_doc_roles_table_matches_the_matrix():
    text = DOC.read_text(encoding="utf-8")

    assert START in text
    assert END in text
    assert text == replace_table(text, roles_table()), (
        "docs/SECURITY.md is out of date with the authorization matrix: "
        "run `python -m tests.security.roles_table --write`."
    )


def test_security_doc_says_how_to_report_a_vulnerability():
    text = DOC.read_text(encoding="utf-8")

    assert "## Reporting a vulnerability" in text
    assert "security@" in text
    assert "PRIVACY.md" in text
    assert "BACKUP.md" in text
