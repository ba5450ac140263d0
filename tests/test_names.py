"""Matching keys for person names and book titles."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest
from anyascii import anyascii
from hypothesis import given
from hypothesis import strategies as st

from bookstracker.names import (
    display_name,
    name_key,
    name_tokens,
    names_match,
    split_authors,
    surname_key,
    title_key,
    title_key_full,
    title_similarity,
    volume_marker,
)

# Person names -------------------------------------------------------------------------------

SAME_PERSON = {
    "margaret atwood": [
        "Margaret Atwood",
        "ATWOOD, Margaret",
        "Atwood, Margaret.",
        "  margaret   atwood ",
        "Atwood, Margaret, 1939- author.",
        "Margaret Atwood (Author)",
        "Margaret Atwood ~autofilled~",
        "by Margaret Atwood",
    ],
    "j k rowling": [
        "J.K. Rowling",
        "J. K. Rowling",
        "JK Rowling",
        "J K Rowling",
        "Rowling, J.K.",
        "Rowling, J. K.",
        "Rowling, JK",
        "jk rowling",
        "J.K. ROWLING",
        "J.K. Rowling (Illustrator)",
    ],
    "gabriel garcia marquez": [
        "Gabriel García Márquez",
        "Gabriel Garcia Marquez",
        "García Márquez, Gabriel",
        "GARCÍA MÁRQUEZ, Gabriel",
    ],
    "ursula k leguin": ["Ursula K. Le Guin", "Ursula K. LeGuin", "Le Guin, Ursula K."],
    "george r r martin": [
        "George R.R. Martin",
        "George R. R. Martin",
        "Martin, George R.R.",
        "George RR Martin",
    ],
    "j r r tolkien": ["J.R.R. Tolkien", "J. R. R. Tolkien", "JRR Tolkien", "JRR TOLKIEN"],
    "voltaire": [
        "Voltaire",
        "Voltaire, 1694-1778",
        "Voltaire 1694-1778",
        "1694-1778 Voltaire",
        "Voltaire (1694-1778)",
        "Voltaire Voltaire",
        "VOLTAIRE",
        "voltaire.",
    ],
    "mark twain": ["Mark Twain", "Twain, Mark, 1835-1910", "Twain, Mark, b. 1835"],
    "bob nelson": ["Bob Nelson", "Nelson, Bob, Ph.D.", "Bob Nelson, PhD", "Dr. Bob Nelson"],
    "martin luther king jr": [
        "Martin Luther King Jr.",
        "Martin Luther King, Jr.",
        "King, Martin Luther, Jr.",
        "King, Martin Luther Jr.",
    ],
    "neil gaiman": [
        "Neil Gaiman (Translator)",
        "Neil Gaiman (Editor)",
        "Gaiman, Neil, editor",
        "Gaiman, Neil, ed.",
    ],
    "ludwig vanbeethoven": ["Ludwig van Beethoven", "Beethoven, Ludwig van"],
    "antoine desaintexupery": ["Antoine de Saint-Exupéry", "Saint-Exupéry, Antoine de"],
    "jean paul sartre": ["Jean-Paul Sartre", "Jean Paul Sartre", "Sartre, Jean-Paul"],
    "quentin blake": ["Quentin Blake", "Sir Quentin Blake", "QUENTIN BLAKE", "Blake, Quentin"],
    "a j finn": ["A.J. Finn", "AJ Finn", "A. J. Finn"],
    "ed mcbain": ["Ed McBain", "McBain, Ed"],
    "j d salinger": ["J.D. Salinger", "Salinger, J.D."],
    "van morrison": ["Van Morrison", "Morrison, Van"],
    "seuss": ["Dr. Seuss", "Seuss, Dr."],
    "flannery oconnor": ["Flannery O'Connor", "Flannery O’Connor", "O'Connor, Flannery"],
    "john lecarre": ["John le Carré", "Le Carré, John", "John LeCarre"],
    "simone debeauvoir": ["Simone de Beauvoir", "de Beauvoir, Simone", "Beauvoir, Simone de"],
    "agatha christie": ["Christie, Agatha, 1890-1976, author", "Agatha Christie (1890-1976)"],
    "yo yo ma": ["Yo-Yo Ma", "Ma, Yo-Yo"],
    "al gore": ["Al Gore", "Gore, Al"],
}


@pytest.mark.parametrize(
    ("key", "spelling"), [(key, name) for key, names in SAME_PERSON.items() for name in names]
)
def test_name_key_is_the_same_for_every_spelling(key: str, spelling: str) -> None:
    assert name_key(spelling) == key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Stephen King", "Stephen Kingsley"),
        ("John Green", "John Grey"),
        ("Martin Luther King Jr.", "Martin Luther King"),
        ("Martin Luther King Jr.", "Martin Luther King Sr."),
        ("J. Rowling", "J.K. Rowling"),
        ("Harper Lee", "Lee Harper"),
    ],
)
def test_different_people_keep_different_keys(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


def test_non_latin_names_are_transliterated() -> None:
    assert name_key("田中 卓也 ~autofilled~") == name_key("田中 卓也") != ""
    assert name_key("Вольтер") == "volter"


def test_name_key_of_nothing_is_empty() -> None:
    assert name_key("") == ""
    assert name_key("   ") == ""
    assert name_key("(Author)") == "author"


def test_name_tokens() -> None:
    assert name_tokens("Rowling, J.K.") == ("j", "k", "rowling")
    assert name_tokens("King, Martin Luther, Jr.") == ("martin", "luther", "king", "jr")
    assert name_tokens("") == ()


@pytest.mark.parametrize(
    ("name", "surname"),
    [
        ("Margaret Atwood", "atwood"),
        ("ATWOOD, Margaret", "atwood"),
        ("Ursula K. Le Guin", "leguin"),
        ("Le Guin, Ursula K.", "leguin"),
        ("Ludwig van Beethoven", "vanbeethoven"),
        ("Gabriel García Márquez", "marquez"),
        ("García Márquez, Gabriel", "marquez"),
        ("Martin Luther King Jr.", "king"),
        ("Van Morrison", "morrison"),
        ("Voltaire", "voltaire"),
        ("", ""),
    ],
)
def test_surname_key(name: str, surname: str) -> None:
    assert surname_key(name) == surname


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Margaret Atwood", "ATWOOD, Margaret", True),
        ("J. Rowling", "Joanne Rowling", True),
        ("J.K. Rowling", "Joanne Rowling", True),
        ("Joanne K. Rowling", "J.K. Rowling", True),
        ("K. Rowling", "Joanne Kathleen Rowling", False),
        ("Jane Rowling", "Joanne Rowling", False),
        ("John Ronald Reuel Tolkien", "J. R. R. Tolkien", True),
        ("Ursula Le Guin", "Le Guin, Ursula K.", True),
        ("Gabriel Márquez", "García Márquez, Gabriel", True),
        ("Kurt Vonnegut", "Kurt Vonnegut Jr.", True),
        ("Kurt Vonnegut Sr.", "Kurt Vonnegut Jr.", False),
        ("Stephen King", "Stephen Kingsley", False),
        ("John Green", "John Grey", False),
        ("Tolkien", "J.R.R. Tolkien", False),
        ("Tolkien, J. R. R. (John Ronald Reuel), 1892-1973", "J.R.R. Tolkien", True),
        ("Voltaire", "VOLTAIRE", True),
        ("", "", False),
    ],
)
def test_names_match(a: str, b: str, expected: bool) -> None:
    assert names_match(a, b) is expected
    assert names_match(b, a) is expected


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Neil Gaiman, Terry Pratchett", ["Neil Gaiman", "Terry Pratchett"]),
        ("Neil Gaiman and Terry Pratchett", ["Neil Gaiman", "Terry Pratchett"]),
        ("Gaiman, Neil; Pratchett, Terry", ["Gaiman, Neil", "Pratchett, Terry"]),
        ("Gaiman, Neil, Pratchett, Terry", ["Gaiman, Neil", "Pratchett, Terry"]),
        ("Stephen King & Peter Straub", ["Stephen King", "Peter Straub"]),
        ("King, Stephen", ["King, Stephen"]),
        ("Rowling, J.K.", ["Rowling, J.K."]),
        ("Le Guin, Ursula K.", ["Le Guin, Ursula K."]),
        ("García Márquez, Gabriel", ["García Márquez, Gabriel"]),
        ("Twain, Mark, 1835-1910", ["Twain, Mark, 1835-1910"]),
        (
            "Christie, Agatha, 1890-1976, author; Smith, John",
            ["Christie, Agatha, 1890-1976, author", "Smith, John"],
        ),
        ("Martin Luther King, Jr.", ["Martin Luther King, Jr."]),
        ("Neil Gaiman, ed.", ["Neil Gaiman, ed."]),
        ("McBain, Ed", ["McBain, Ed"]),
        ("Stephen King, Peter Straub, Owen King", ["Stephen King", "Peter Straub", "Owen King"]),
        ("Voltaire/ de Lisle", ["Voltaire", "de Lisle"]),
        ("Terry Pratchett et al.", ["Terry Pratchett"]),
        (
            "Friedrich A. Kittler ; translated by Michael Metteer, with Chris Cullens",
            ["Friedrich A. Kittler", "Michael Metteer", "Chris Cullens"],
        ),
        ("田中 卓也 ~autofilled~", ["田中 卓也"]),
        (
            "Tolkien, J. R. R. (John Ronald Reuel), 1892-1973",
            ["Tolkien, J. R. R. (John Ronald Reuel), 1892-1973"],
        ),
        (
            "Gaiman, Neil (Author), Pratchett, Terry (Author)",
            ["Gaiman, Neil (Author)", "Pratchett, Terry (Author)"],
        ),
        ("Smith, John (Smith, J.); (Editor)", ["Smith, John (Smith, J.)"]),
        ("", []),
        (" ; & , ", []),
    ],
)
def test_split_authors(text: str, names: list[str]) -> None:
    assert split_authors(text) == names


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("ATWOOD, Margaret", "Margaret Atwood"),
        ("Atwood, Margaret.", "Margaret Atwood"),
        ("Rowling, J.K.", "J.K. Rowling"),
        ("García Márquez, Gabriel", "Gabriel García Márquez"),
        ("GARCÍA MÁRQUEZ, Gabriel", "Gabriel García Márquez"),
        ("Twain, Mark, 1835-1910", "Mark Twain"),
        ("Voltaire, 1694-1778", "Voltaire"),
        ("Voltaire Voltaire", "Voltaire"),
        ("Nelson, Bob, Ph.D.", "Bob Nelson"),
        ("King, Martin Luther, Jr.", "Martin Luther King Jr."),
        ("Beethoven, Ludwig van", "Ludwig van Beethoven"),
        ("ursula k. le guin", "Ursula K. Le Guin"),
        ("jrr tolkien", "JRR Tolkien"),
        ("O'BRIEN, FLANN", "Flann O'Brien"),
        ("Seuss, Dr.", "Dr. Seuss"),
        ("Neil Gaiman (Author) ~autofilled~", "Neil Gaiman"),
        ("  margaret   atwood ", "Margaret Atwood"),
    ],
)
def test_display_name(name: str, shown: str) -> None:
    assert display_name(name) == shown


# Titles ------------------------------------------------------------------------------------

SAME_TITLE = {
    "martian": ["The Martian", "The Martian: A Novel", "THE MARTIAN", "Martian, The", "martian."],
    "leviathan wakes": [
        "Leviathan Wakes",
        "Leviathan Wakes (The Expanse, #1)",
        "Leviathan Wakes [The Expanse 1]",
        "Leviathan  Wakes ",
    ],
    "wise mans fear": [
        "The Wise Man's Fear",
        "The Wise Man's Fear [1/2]",
        "The Wise Man's Fear [2/2]",
        "The Wise Man’s Fear",
        "Wise Mans Fear",
    ],
    "fahrenheit 451": [
        "Fahrenheit 451",
        "Fahrenheit 451 (60th Anniversary Edition)",
        "Fahrenheit 451: 60th Anniversary Edition",
        "Fahrenheit 451 60th Anniversary Edition",
        "Fahrenheit 451 (Illustrated)",
    ],
    "hunger games": ["The Hunger Games (Movie Tie-In)", "The Hunger Games - Movie Tie-In"],
    "good omens": ["Good Omens", "Good Omens: The Nice and Accurate Prophecies of Agnes Nutter"],
    "pride and prejudice": ["Pride & Prejudice", "Pride and Prejudice", "PRIDE AND PREJUDICE"],
    "cien anos de soledad": ["Cien años de soledad", "Cien Anos de Soledad"],
    "petit prince": ["Le Petit Prince", "Le petit prince (Folio)"],
    "etranger": ["L'Étranger", "L’étranger"],
    "frankenstein": ["Frankenstein; or, The Modern Prometheus", "Frankenstein"],
    "denver": ["Denver                              **"],
    "10 04": ["10:04"],
}


@pytest.mark.parametrize(
    ("key", "title"), [(key, title) for key, titles in SAME_TITLE.items() for title in titles]
)
def test_title_key_is_the_same_for_every_spelling(key: str, title: str) -> None:
    assert title_key(title) == key


def test_title_key_has_no_synonyms() -> None:
    assert title_key("Harry Potter and the Philosopher's Stone") != title_key(
        "Harry Potter and the Sorcerer's Stone"
    )


def test_title_key_keeps_series_numbers_outside_brackets_apart() -> None:
    assert title_key("Saga, Vol. 1") != title_key("Saga, Vol. 2")


def test_title_key_of_an_article_alone_keeps_it() -> None:
    assert title_key("The") == "the"
    assert title_key("A") == "a"
    assert title_key("") == ""


def test_title_key_of_a_bracketed_title_keeps_its_words() -> None:
    assert title_key("[Untitled]") == "untitled"


def test_title_key_full_keeps_the_subtitle() -> None:
    assert title_key_full("The Martian: A Novel") == "martian a novel"
    assert title_key_full("Dune: The Graphic Novel") != title_key_full("Dune")
    assert title_key_full("Leviathan Wakes (The Expanse, #1)") == "leviathan wakes"


@pytest.mark.parametrize(
    ("title", "marker"),
    [
        ("The Wise Man's Fear [1/2]", "1/2"),
        ("The Wise Man's Fear [2/2]", "2/2"),
        ("Les Misérables (2 of 5)", "2/5"),
        ("The Lord of the Rings, Vol. II", "vol 2"),
        ("Complete Works, Volume 3", "vol 3"),
        ("Don Quixote (Part One)", "part 1"),
        ("Der Zauberberg, Band 2", "band 2"),
        ("Leviathan Wakes (The Expanse, #1)", None),
        ("Sabriel (Old Kingdom, Book 1)", None),
        ("Part of Your World", None),
        ("", None),
    ],
)
def test_volume_marker(title: str, marker: str | None) -> None:
    assert volume_marker(title) == marker


def test_title_similarity() -> None:
    assert title_similarity("The Martian", "Martian, The") == 100.0
    assert title_similarity("The Martian: A Novel", "THE MARTIAN") == 100.0
    assert title_similarity("Dune", "Dune Messiah") < 70
    assert title_similarity("The Wind-Up Bird Chronicle", "Wind Up Bird Chronicles") > 90
    assert title_similarity("", "Dune") == 0.0
    assert 0.0 <= title_similarity("Harry Potter", "Hary Poter") < 100.0


# Property tests ----------------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyzàáâäãåçèéêëìíîïñòóôöõøùúûüýčšžłńśźżőű"
# Words read as something other than a name: suffixes, degrees, roles, connectives.
RESERVED = {
    "jr", "jnr", "sr", "snr", "ii", "iii", "iv", "by", "with", "and", "et", "al",
    "cbe", "dds", "dlitt", "dmd", "dmin", "dphil", "dvm", "edd", "esq", "frs", "frsl", "kbe",
    "litd", "llb", "lld", "llm", "mba", "mbe", "mfa", "mphil", "msc", "bsc", "obe", "phd",
    "psyd", "thd",
    "adapter", "afterword", "annotator", "artist", "author", "authors", "compiler",
    "contributor", "creator", "editor", "editors", "foreword", "illustrator", "illustrations",
    "introduction", "joint", "narrator", "others", "photographer", "preface", "reader",
    "translator", "writer",
}  # fmt: skip


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


words = (
    st.text(alphabet=LETTERS, min_size=1, max_size=10)
    .filter(lambda w: anyascii(w).lower() not in RESERVED)
    .map(lambda w: w[0].upper() + w[1:])
)
names = st.tuples(st.lists(words, min_size=1, max_size=3), words)


def _direct(parts: tuple[list[str], str]) -> str:
    return " ".join([*parts[0], parts[1]])


@given(names)
def test_name_key_of_display_name_is_name_key(parts: tuple[list[str], str]) -> None:
    name = _direct(parts)
    assert name_key(display_name(name)) == name_key(name)
    inverted = f"{parts[1]}, {' '.join(parts[0])}"
    assert name_key(display_name(inverted)) == name_key(inverted)


@given(names)
def test_name_key_ignores_case(parts: tuple[list[str], str]) -> None:
    name = _direct(parts)
    assert name_key(name.upper()) == name_key(name) == name_key(name.lower())


@given(names, st.lists(st.sampled_from([" ", "  ", "\t", "\n", "\u00a0"]), min_size=5))
def test_name_key_ignores_spacing(parts: tuple[list[str], str], spaces: list[str]) -> None:
    tokens = [*parts[0], parts[1]]
    spaced = spaces[0] + "".join(t + spaces[(i + 1) % len(spaces)] for i, t in enumerate(tokens))
    assert name_key(spaced) == name_key(_direct(parts))


@given(names)
def test_name_key_ignores_accents(parts: tuple[list[str], str]) -> None:
    name = _direct(parts)
    assert name_key(_strip_accents(name)) == name_key(name)


@given(names)
def test_name_key_reads_last_first_inversion(parts: tuple[list[str], str]) -> None:
    assert name_key(f"{parts[1]}, {' '.join(parts[0])}") == name_key(_direct(parts))


@given(names)
def test_names_match_its_own_spellings(parts: tuple[list[str], str]) -> None:
    name = _direct(parts)
    assert names_match(name, f"{parts[1]}, {' '.join(parts[0])}")
    assert names_match(name, display_name(name.upper()))


@given(names)
def test_split_authors_keeps_an_inverted_name_together(parts: tuple[list[str], str]) -> None:
    given_names = parts[0][:2]
    inverted = f"{parts[1]}, {' '.join(given_names)}"
    assert split_authors(inverted) == [inverted]


@given(st.lists(names, min_size=1, max_size=4), st.sampled_from(["; ", " and ", " & "]))
def test_split_authors_splits_joined_names(
    people: list[tuple[list[str], str]], separator: str
) -> None:
    joined = separator.join(_direct(p) for p in people)
    assert [name_key(n) for n in split_authors(joined)] == [name_key(_direct(p)) for p in people]


title_words = st.lists(st.text(alphabet=LETTERS + "0123456789", min_size=1, max_size=8), min_size=1)
PUNCTUATION = ".,!?\"'*…¡¿«»#"


@given(title_words, st.sampled_from([str.upper, str.lower, str.title, str.swapcase]))
def test_title_key_ignores_case(words_: list[str], case: Callable[[str], str]) -> None:
    title = " ".join(words_)
    assert title_key(case(title)) == title_key(title)


@given(title_words, st.lists(st.sampled_from([" ", "  ", "\t", "\n", "\u3000"]), min_size=1))
def test_title_key_ignores_spacing(words_: list[str], spaces: list[str]) -> None:
    spaced = "".join(w + spaces[i % len(spaces)] for i, w in enumerate(words_))
    assert title_key(" " + spaced) == title_key(" ".join(words_))


@given(
    title_words,
    st.lists(st.tuples(st.text(PUNCTUATION, max_size=2), st.text(PUNCTUATION, max_size=2))),
)
def test_title_key_ignores_punctuation(words_: list[str], marks: list[tuple[str, str]]) -> None:
    marked = [
        (marks[i][0] if i < len(marks) else "") + w + (marks[i][1] if i < len(marks) else "")
        for i, w in enumerate(words_)
    ]
    assert title_key(" ".join(marked)) == title_key(" ".join(words_))


@given(title_words, st.text(), st.sampled_from([": ", " : ", " - ", " — ", "; "]))
def test_title_key_ignores_a_subtitle(words_: list[str], subtitle: str, separator: str) -> None:
    title = " ".join(words_)
    assert title_key(title + separator + subtitle) == title_key(title)


@given(st.text(), st.text())
def test_nothing_raises_on_any_text(a: str, b: str) -> None:
    assert isinstance(name_key(a), str)
    assert isinstance(name_tokens(a), tuple)
    assert isinstance(surname_key(a), str)
    assert isinstance(display_name(a), str)
    assert isinstance(names_match(a, b), bool)
    assert all(isinstance(n, str) and n for n in split_authors(a))
    assert isinstance(title_key(a), str)
    assert isinstance(title_key_full(a), str)
    assert 0.0 <= title_similarity(a, b) <= 100.0
    marker = volume_marker(a)
    assert marker is None or isinstance(marker, str)


@given(st.text())
def test_keys_are_ascii(text: str) -> None:
    assert name_key(text).isascii()
    assert title_key(text).isascii()
    assert title_key_full(text).isascii()
    assert title_similarity(text, text) in (0.0, 100.0)


@given(names)
def test_name_key_of_a_name_key_is_itself(parts: tuple[list[str], str]) -> None:
    key = name_key(_direct(parts))
    assert name_key(key) == key


@given(title_words)
def test_title_key_of_a_title_key_is_itself(words_: list[str]) -> None:
    key = title_key(" ".join(words_))
    assert title_key(key) == key
