"""The hand-written source of the bundled sample catalog; `_sample_builder` expands it.

Titles, first-publication years, original languages and first publishers are real
bibliographic facts. Most edition records are synthetic: the builder invents reprints,
ebooks and audio editions, and their ISBNs come from a counter under language-shaped
prefixes (978-1-9…, 978-3-9…), with valid check digits. The few real ISBNs and Google
volume ids are the ones written out below. OpenLibrary ids are synthetic and OL-shaped
(OL7000…A/W, OL8000…M) except the real ones written out below.

The "mess" records (`X`) copy what the real APIs return: translations filed as works, box
sets, study guides by others, duplicate records, books about an author. Each says in its
note why it exists; records marked "invented" have made-up titles.

Multi-valued fields are ``|``-separated strings. In ``co`` and ``by``, ``key=Role`` gives a
role and ``@`` is the author the record is listed under. Providers: ``ol`` OpenLibrary,
``gb`` Google Books, ``db`` ISBNdb. Keep the order of `AUTHORS` and of each author's
records: the synthetic ids are numbered from it.
"""

# ruff: noqa: E501
from __future__ import annotations

from typing import NamedTuple


class E(NamedTuple):
    """An edition written out by hand (real ISBN or Google id, or an unusual record)."""

    format: str
    lang: str | None
    title: str | None = None  # default: the work's title
    pub: str | None = None
    date: str | None = None
    isbn: str | None = None  # a real ISBN-10 or -13; None: a synthetic one; "-": none
    prov: str = "ol|gb|db"
    google: str | None = None  # a real Google Books volume id
    pages: int | None = None
    by: str | None = None  # the author's name as printed on this edition


class W(NamedTuple):
    """A core work; the builder gives it a first edition, reprints and translated editions."""

    title: str
    year: int | None
    pub: str | None = None  # publisher of the first edition
    sub: str | None = None
    orig: str | None = (
        None  # title of the original-language editions, when the work is filed under another
    )
    tr: str = ""  # translated editions kept under this work: "de=Der Marsianer|fr=Seul sur Mars"
    kind: str = "novel"  # novel | stories | short | nonfiction | children | poetry | pbo (paperback original)
    co: str = ""  # further authors: "straub", "andersen=Illustrator"
    prov: str = ""  # only these providers know the work's editions
    id: str | None = None  # the real OpenLibrary work id, where known
    real: str = ""  # real ISBNs by slot: "first=0747532699", "pb=0553418025"; "first=-": no ISBN
    later: str = ""  # "Publisher:year" of the reprints, when not the first publisher a year on
    fmt: str = ""  # format of the first edition, when not the kind's usual one
    extra: tuple[E, ...] = ()
    desc: str | None = None
    subj: str = ""  # subjects, when not the author's


class X(NamedTuple):
    """A record that is not a core work of the author it is listed under."""

    truth: str  # translation | collection | companion | duplicate | not-by-author
    title: str
    year: int | None = None
    of: str | None = None  # the title of the core work it translates, repeats or studies
    lang: str | None = None  # language of its editions; default the author's; "-": none
    by: str = ""  # authors in order; default "@"
    sub: str | None = None
    n: int = 1  # number of editions
    pub: str | None = None
    share: str = ""  # slot of the `of` work whose ISBN its first edition repeats
    prov: str = ""
    subj: str = ""
    note: str = ""
    id: str | None = None
    extra: tuple[E, ...] = ()  # when given, these are its editions
    desc: str | None = None


class A(NamedTuple):
    """An author record, with the works listed under it."""

    key: str
    name: str
    id: str | None = None
    born: str | None = None
    died: str | None = None
    lang: str = "en"
    alt: str = ""  # alternate names
    printed: str = ""  # name forms printed on some editions
    pen_of: str | None = None  # key of the real person, when this record is a pen name
    subj: str = ""
    bio: str | None = None
    works: tuple[W, ...] = ()
    mess: tuple[X, ...] = ()


_SS = "Study guides|Literature -- Study and teaching"

# fmt: off
AUTHORS: tuple[A, ...] = (
    A("king", "Stephen King", id="OL2162284A", born="21 September 1947", alt="Stephen Edwin King|Richard Bachman|King, Stephen|John Swithen", printed="King, Stephen|STEPHEN KING", subj="Horror fiction|Fiction|Maine -- Fiction",
      bio="American author of horror, supernatural fiction, suspense and fantasy novels. He also wrote as Richard Bachman.",
      works=(
        W("Carrie", 1974, "Doubleday"),
        W("'Salem's Lot", 1975, "Doubleday"),
        W("The Shining", 1977, "Doubleday", tr="de=Shining|fr=Shining"),
        W("The Stand", 1978, "Doubleday"),
        W("Night Shift", 1978, "Doubleday", kind="stories", subj="Horror tales|Short stories"),
        W("The Dead Zone", 1979, "Viking"),
        W("Firestarter", 1980, "Viking"),
        W("Cujo", 1981, "Viking"),
        W("The Gunslinger", 1982, "Donald M. Grant", subj="Fantasy fiction|The Dark Tower"),
        W("Different Seasons", 1982, "Viking", kind="stories", subj="Novellas|Fiction"),
        W("Pet Sematary", 1983, "Doubleday"),
        W("The Talisman", 1984, "Viking", co="straub", subj="Fantasy fiction|Fiction"),
        W("Skeleton Crew", 1985, "G. P. Putnam's Sons", kind="stories", subj="Horror tales|Short stories"),
        W("It", 1986, "Viking", tr="fr=Ça"),
        W("Misery", 1987, "Viking"),
        W("The Green Mile", 1996, "Signet", kind="pbo"),
        W("Black House", 2001, "Random House", co="straub"),
        W("11/22/63", 2011, "Scribner", subj="Time travel -- Fiction|Kennedy, John F. -- Assassination -- Fiction"),
        W("Sleeping Beauties", 2017, "Scribner", co="owenking"),
      ),
      mess=(
        X("translation", "Es", 1986, of="It", lang="de", n=2, note="German translation of It filed as its own work"),
        X("duplicate", "The shining", None, of="The Shining", lang="-", note="sparse second record of The Shining: lower-case title, no year, no language"),
        X("collection", "The Bachman Books", 1985, by="@|bachman", sub="Four Early Novels by Stephen King", pub="New American Library", n=2, subj="Boxed sets|Horror fiction", note="omnibus of Rage, The Long Walk, Roadwork and The Running Man, already listed under Richard Bachman", desc="Rage, The Long Walk, Roadwork and The Running Man, the first four novels Stephen King published as Richard Bachman, in one volume."),
        X("not-by-author", "Haunted Heart", 2008, sub="The Life and Times of Stephen King", pub="Thomas Dunne Books", subj="King, Stephen, 1947-|Novelists, American -- 20th century -- Biography|Biography", note="biography by Lisa Rogak that OpenLibrary lists among King's works"),
        X("companion", "The Stephen King Companion", 1989, pub="Andrews and McMeel", subj="King, Stephen, 1947- -- Handbooks, manuals, etc.|Horror tales, American -- History and criticism", note="companion by George Beahm, credited to King alone: only the heading's form subdivision says it is about his work"),
        X("not-by-author", "Dark Forces", 1980, pub="Viking", sub="New Stories of Suspense and Supernatural Horror", subj="Horror tales, American|Anthologies", note="anthology edited by Kirby McCauley holding King's The Mist, credited to King alone"),
        X("not-by-author", "The Best American Short Stories 2007", 2007, by="@=Editor|pitlor=Editor", pub="Houghton Mifflin", subj="Short stories, American|Anthologies", note="anthology King guest-edited; he wrote none of it but the introduction"),
        X("companion", "Study Guide: Misery by Stephen King", None, of="Misery", by="bookrags|@", subj=_SS, note="BookRags study guide"),
      )),
    A("bachman", "Richard Bachman", born=None, alt="Stephen King|Bachman, Richard", pen_of="king", subj="Fiction|Suspense fiction",
      bio="Pen name of Stephen King, used for seven novels from 1977 to 2007.",
      works=(
        W("Rage", 1977, "Signet", kind="pbo"),
        W("The Long Walk", 1979, "Signet", kind="pbo"),
        W("Roadwork", 1981, "Signet", kind="pbo"),
        W("The Running Man", 1982, "Signet", kind="pbo"),
        W("Thinner", 1984, "NAL Books"),
        W("The Regulators", 1996, "Dutton"),
        W("Blaze", 2007, "Scribner"),
      )),
    A("straub", "Peter Straub", born="2 March 1943", died="4 September 2022", alt="Peter Francis Straub|Straub, Peter", subj="Horror fiction|Fiction",
      works=(
        W("Julia", 1975, None),
        W("If You Could See Me Now", 1977, None),
        W("Ghost Story", 1979, "Coward, McCann & Geoghegan"),
        W("Shadowland", 1980, None),
        W("Floating Dragon", 1983, None),
        W("Koko", 1988, None),
        W("Mystery", 1990, None),
        W("The Throat", 1993, None),
        W("Lost Boy, Lost Girl", 2003, None),
      )),
    A("owenking", "Owen King", alt="King, Owen"),
    A("rowling", "J.K. Rowling", id="OL23919A", born="31 July 1965", alt="Joanne Rowling|J. K. Rowling|Jo Rowling|Robert Galbraith|Rowling, J. K.", printed="J. K. Rowling|ROWLING, J.K.|Rowling, J. K.", subj="Magic -- Fiction|Wizards -- Fiction|Hogwarts School of Witchcraft and Wizardry (Imaginary organization) -- Fiction|Juvenile fiction",
      bio="British author of the Harry Potter series; she writes crime fiction as Robert Galbraith.",
      works=(
        W("Harry Potter and the Philosopher's Stone", 1997, "Bloomsbury", real="first=0747532699", tr="es=Harry Potter y la piedra filosofal|it=Harry Potter e la pietra filosofale",
          extra=(E("Hardcover", "en", "Harry Potter and the Sorcerer's Stone", "Scholastic", "1998", isbn="059035342X"),
                 E("Paperback", "en", "Harry Potter and the Sorcerer's Stone", "Scholastic", "1998-09", isbn="9781338878929", prov="db", pages=309, by="J.K. Rowling"))),
        W("Harry Potter and the Chamber of Secrets", 1998, "Bloomsbury", tr="de=Harry Potter und die Kammer des Schreckens|fr=Harry Potter et la Chambre des secrets"),
        W("Harry Potter and the Prisoner of Azkaban", 1999, "Bloomsbury"),
        W("Harry Potter and the Goblet of Fire", 2000, "Bloomsbury"),
        W("Harry Potter and the Order of the Phoenix", 2003, "Bloomsbury"),
        W("Harry Potter and the Half-Blood Prince", 2005, "Bloomsbury"),
        W("Harry Potter and the Deathly Hallows", 2007, "Bloomsbury"),
        W("The Tales of Beedle the Bard", 2008, "Bloomsbury", kind="children"),
        W("The Casual Vacancy", 2012, "Little, Brown", subj="Fiction|Villages -- England -- Fiction"),
        W("Harry Potter and the Cursed Child", 2016, "Little, Brown", sub="Parts One and Two", co="tiffany|thorne", subj="Plays|Magic -- Drama"),
        W("The Ickabog", 2020, None, kind="children", subj="Fairy tales|Juvenile fiction"),
        W("The Christmas Pig", 2021, None, kind="children", subj="Christmas -- Juvenile fiction|Toys -- Juvenile fiction"),
      ),
      mess=(
        X("collection", "Harry Potter Box Set", None, sub="The Complete Collection", pub="Bloomsbury", n=2, note="box set of the seven Harry Potter novels"),
        X("collection", "Harry Potter: La Collection Complète (1-7)", 2016, lang="fr", subj="Boxed sets", note="French omnibus of the seven novels (a real Google Books volume): a foreign-language omnibus is a collection of the core works it bundles, not a translation",
          extra=(E("eBook", "fr", pub="Pottermore Publishing", date="2016-01-28", isbn="9781781106501", prov="ol|gb", google="q7B2CwAAQBAJ"),)),
        X("translation", "Harry Potter à l'école des sorciers", 1998, of="Harry Potter and the Philosopher's Stone", lang="fr", note="French translation filed as its own work",
          extra=(E("Paperback", "fr", pub="Gallimard Jeunesse", date="1998"),
                 E("Paperback", "fr", pub="Gallimard-Jeunesse", date="1999-11-24", isbn="2070541274", prov="ol|gb", google="57i3AAAACAAJ"))),
        X("translation", "Harry Potter und der Stein der Weisen", 1998, of="Harry Potter and the Philosopher's Stone", lang="de", pub="Carlsen", n=2, note="German translation filed as its own work"),
        X("duplicate", "Harry Potter and the philosopher's stone.", None, of="Harry Potter and the Philosopher's Stone", lang="-", note="second record with a catalogue's closing period, no year"),
        X("not-by-author", "J.K. Rowling", 2001, sub="A Biography", subj="Rowling, J. K.|Authors, English -- 20th century -- Biography|Biography", note="biography by Sean Smith, credited to Rowling alone as OpenLibrary files many; the writer shows only in the note, the subjects say whom it is about"),
        X("companion", "Harry Potter and the Sorcerer's Stone (SparkNotes Literature Guide)", None, of="Harry Potter and the Philosopher's Stone", by="sparknotes|@", subj=_SS, note="SparkNotes guide that credits Rowling too"),
      )),
    A("galbraith", "Robert Galbraith", alt="J.K. Rowling|Galbraith, Robert", pen_of="rowling", subj="Strike, Cormoran (Fictitious character) -- Fiction|Private investigators -- England -- London -- Fiction|Detective and mystery stories",
      bio="Pen name of J.K. Rowling for the Cormoran Strike crime novels.",
      works=(
        W("The Cuckoo's Calling", 2013, "Sphere"),
        W("The Silkworm", 2014, "Sphere"),
        W("Career of Evil", 2015, "Sphere"),
        W("Lethal White", 2018, "Sphere"),
        W("Troubled Blood", 2020, "Sphere"),
        W("The Ink Black Heart", 2022, "Sphere"),
        W("The Running Grave", 2023, "Sphere"),
      )),
    A("tiffany", "John Tiffany", alt="Tiffany, John"),
    A("thorne", "Jack Thorne", alt="Thorne, Jack"),
    A("martin", "George R.R. Martin", born="20 September 1948", alt="George Raymond Richard Martin|George R. R. Martin|Martin, George R. R.|GRRM", printed="George R. R. Martin|Martin, George R.R.|GEORGE R.R. MARTIN", subj="Fantasy fiction|Fiction",
      works=(
        W("A Game of Thrones", 1996, "Bantam", real="first=0553103547", tr="es=Juego de tronos|fr=Le Trône de fer", subj="Fantasy fiction|Westeros (Imaginary place) -- Fiction|A Song of Ice and Fire"),
        W("A Clash of Kings", 1998, "Voyager", subj="Fantasy fiction|A Song of Ice and Fire"),
        W("A Storm of Swords", 2000, "Voyager", subj="Fantasy fiction|A Song of Ice and Fire"),
        W("A Feast for Crows", 2005, "Voyager", subj="Fantasy fiction|A Song of Ice and Fire"),
        W("A Dance with Dragons", 2011, "Bantam", subj="Fantasy fiction|A Song of Ice and Fire"),
        W("Fire & Blood", 2018, "Bantam"),
        W("A Knight of the Seven Kingdoms", 2015, "Bantam"),
        W("Dying of the Light", 1977, "Simon & Schuster", subj="Science fiction"),
        W("Windhaven", 1981, "Timescape Books", co="tuttle", subj="Science fiction"),
        W("Sandkings", 1981, "Timescape Books", kind="stories", subj="Science fiction|Short stories"),
        W("Fevre Dream", 1982, "Poseidon Press", subj="Vampires -- Fiction|Horror fiction"),
        W("The Armageddon Rag", 1983, "Poseidon Press"),
        W("Tuf Voyaging", 1986, "Baen Books", kind="stories", subj="Science fiction"),
      ),
      mess=(
        X("collection", "A Song of Ice and Fire 4-Book Boxed Set", 2011, pub="Bantam", n=2, subj="Boxed sets|Fantasy fiction", note="box set of the first four novels"),
        X("translation", "Juego de tronos", 2002, of="A Game of Thrones", lang="es", n=3, note="Spanish translation filed as its own work, with more editions than some English ones"),
        X("companion", "A Game of Thrones (SparkNotes Literature Guide)", None, of="A Game of Thrones", subj=_SS, note="SparkNotes guide credited to Martin alone, as OpenLibrary often files them"),
      )),
    A("tuttle", "Lisa Tuttle", born="16 September 1952", alt="Tuttle, Lisa"),
    A("atwood", "Margaret Atwood", born="18 November 1939", alt="Margaret Eleanor Atwood|Atwood, Margaret", printed="Atwood, Margaret|MARGARET ATWOOD", subj="Fiction|Canadian fiction",
      works=(
        W("The Edible Woman", 1969, "McClelland & Stewart"),
        W("Surfacing", 1972, "McClelland & Stewart"),
        W("Lady Oracle", 1976, "McClelland & Stewart"),
        W("Dancing Girls", 1977, "McClelland & Stewart", kind="stories", sub="And Other Stories"),
        W("Bodily Harm", 1981, "McClelland & Stewart"),
        W("The Handmaid's Tale", 1985, "McClelland & Stewart", tr="fr=La Servante écarlate|es=El cuento de la criada", subj="Dystopias|Women -- Fiction|Misogyny -- Fiction"),
        W("Cat's Eye", 1988, "McClelland & Stewart"),
        W("The Robber Bride", 1993, "McClelland & Stewart"),
        W("Alias Grace", 1996, "McClelland & Stewart"),
        W("The Blind Assassin", 2000, "McClelland & Stewart"),
        W("Oryx and Crake", 2003, "McClelland & Stewart", subj="Dystopias|Science fiction"),
        W("The Year of the Flood", 2009, "McClelland & Stewart", subj="Dystopias|Science fiction"),
        W("MaddAddam", 2013, "McClelland & Stewart", subj="Dystopias|Science fiction"),
        W("Hag-Seed", 2016, "Hogarth"),
        W("The Testaments", 2019, "McClelland & Stewart", subj="Dystopias|Women -- Fiction"),
      ),
      mess=(
        X("translation", "Der Report der Magd", 1987, of="The Handmaid's Tale", lang="de", n=2, note="German translation filed as its own work"),
        X("collection", "The MaddAddam Trilogy", None, subj="Boxed sets|Dystopias", note="box set of Oryx and Crake, The Year of the Flood and MaddAddam", desc="Oryx and Crake, The Year of the Flood and MaddAddam in one box."),
        X("companion", "The Handmaid's Tale (SparkNotes Literature Guide)", None, of="The Handmaid's Tale", subj=_SS, note="SparkNotes guide credited to Atwood alone"),
      )),
    A("gaiman", "Neil Gaiman", born="10 November 1960", alt="Neil Richard MacKinnon Gaiman|Gaiman, Neil", printed="Gaiman, Neil|NEIL GAIMAN", subj="Fantasy fiction|Fiction",
      works=(
        W("Neverwhere", 1996, "BBC Books", subj="Fantasy fiction|London (England) -- Fiction"),
        W("Smoke and Mirrors", 1998, "Avon Books", sub="Short Fictions and Illusions", kind="stories", subj="Fantasy fiction|Short stories"),
        W("Stardust", 1999, "Avon Books"),
        W("American Gods", 2001, "William Morrow", tr="de=American Gods|fr=American Gods"),
        W("Coraline", 2002, "HarperCollins", kind="children", subj="Juvenile fiction|Horror tales"),
        W("Anansi Boys", 2005, "William Morrow"),
        W("Fragile Things", 2006, "William Morrow", sub="Short Fictions and Wonders", kind="stories", subj="Fantasy fiction|Short stories"),
        W("The Graveyard Book", 2008, "HarperCollins", kind="children"),
        W("The Ocean at the End of the Lane", 2013, "William Morrow"),
        W("Trigger Warning", 2015, "William Morrow", sub="Short Fictions and Disturbances", kind="stories", subj="Fantasy fiction|Short stories"),
        W("Norse Mythology", 2017, "W. W. Norton", subj="Mythology, Norse"),
      ),
      mess=(
        X("duplicate", "American gods : a novel", 2001, of="American Gods", note="second record with the subtitle folded into a lower-case title"),
        X("translation", "Coraline", 2003, of="Coraline", lang="fr", n=2, note="French translation under the same title, filed as its own work"),
        X("not-by-author", "The Best American Comics 2010", 2010, by="@=Editor", pub="Houghton Mifflin Harcourt", subj="Comic books, strips, etc.|Anthologies", note="anthology Gaiman guest-edited; none of it is his"),
      )),
    A("christie", "Agatha Christie", born="15 September 1890", died="12 January 1976", alt="Agatha Mary Clarissa Miller|Dame Agatha Christie|Agatha Christie Mallowan|Mary Westmacott|Christie, Agatha", printed="Christie, Agatha|AGATHA CHRISTIE", subj="Detective and mystery stories|Fiction",
      works=(
        W("The Mysterious Affair at Styles", 1920, "John Lane", subj="Poirot, Hercule (Fictitious character) -- Fiction|Detective and mystery stories"),
        W("Poirot Investigates", 1924, "The Bodley Head", kind="stories", subj="Poirot, Hercule (Fictitious character) -- Fiction|Short stories"),
        W("The Murder of Roger Ackroyd", 1926, "William Collins, Sons"),
        W("The Murder at the Vicarage", 1930, "Collins Crime Club", subj="Marple, Jane (Fictitious character) -- Fiction"),
        W("The Thirteen Problems", 1932, "Collins Crime Club", kind="stories", subj="Marple, Jane (Fictitious character) -- Fiction|Short stories"),
        W("Murder on the Orient Express", 1934, "Collins Crime Club", tr="fr=Le Crime de l'Orient-Express|es=Asesinato en el Orient Express", subj="Poirot, Hercule (Fictitious character) -- Fiction|Orient Express (Express train) -- Fiction"),
        W("The A.B.C. Murders", 1936, "Collins Crime Club"),
        W("Death on the Nile", 1937, "Collins Crime Club"),
        W("And Then There Were None", 1939, "Collins Crime Club", tr="fr=Ils étaient dix"),
        W("Evil Under the Sun", 1941, "Collins Crime Club"),
        W("Five Little Pigs", 1942, "Collins Crime Club"),
        W("A Murder Is Announced", 1950, "Collins Crime Club"),
        W("Curtain", 1975, "Collins Crime Club", sub="Poirot's Last Case"),
      ),
      mess=(
        X("translation", "Mord im Orient-Express", None, of="Murder on the Orient Express", lang="de", n=2, note="German translation filed as its own work"),
        X("collection", "Hercule Poirot: The Complete Short Stories", 1999, pub="HarperCollins", subj="Short stories|Poirot, Hercule (Fictitious character) -- Fiction", note="re-bundling of stories from Poirot Investigates and later collections", desc="Every Hercule Poirot short story, from Poirot Investigates onward, in one volume."),
        X("duplicate", "Murder on the Orient Express.", None, of="Murder on the Orient Express", lang="-", note="second record, closing period and no year"),
        X("companion", "Summary of Murder on the Orient Express by Agatha Christie", None, of="Murder on the Orient Express", by="quickread|@", subj=_SS, note="invented summary-mill record"),
      )),
    A("westmacott", "Mary Westmacott", alt="Agatha Christie|Westmacott, Mary", pen_of="christie", subj="Fiction|Love stories",
      bio="Pen name under which Agatha Christie published six romantic novels.",
      works=(
        W("Giant's Bread", 1930, "Collins"),
        W("Unfinished Portrait", 1934, "Collins"),
        W("Absent in the Spring", 1944, "Collins"),
        W("The Rose and the Yew Tree", 1948, "Heinemann"),
        W("A Daughter's a Daughter", 1952, "Heinemann"),
        W("The Burden", 1956, "Heinemann"),
      )),
    A("brown", "Dan Brown", born="22 June 1964", alt="Daniel Gerhard Brown|Brown, Dan", printed="Brown, Dan", subj="Thriller|Suspense fiction|Fiction",
      works=(
        W("Digital Fortress", 1998, "St. Martin's Press"),
        W("Angels & Demons", 2000, "Pocket Books", subj="Langdon, Robert (Fictitious character) -- Fiction"),
        W("Deception Point", 2001, "Pocket Books"),
        W("The Da Vinci Code", 2003, "Doubleday", tr="es=El código Da Vinci|fr=Da Vinci code", subj="Langdon, Robert (Fictitious character) -- Fiction|Leonardo, da Vinci, 1452-1519 -- Fiction|Secret societies -- Fiction"),
        W("The Lost Symbol", 2009, "Doubleday", subj="Langdon, Robert (Fictitious character) -- Fiction"),
        W("Inferno", 2013, "Doubleday", subj="Langdon, Robert (Fictitious character) -- Fiction"),
        W("Origin", 2017, "Doubleday", subj="Langdon, Robert (Fictitious character) -- Fiction"),
        W("Wild Symphony", 2020, "Rodale Kids", kind="children", subj="Animals -- Juvenile fiction|Music -- Juvenile fiction"),
      ),
      mess=(
        X("translation", "Sakrileg", 2004, of="The Da Vinci Code", lang="de", pub="Lübbe", n=3, note="German translation (retitled) filed as its own work"),
        X("duplicate", "The Da Vinci code : a novel", 2003, of="The Da Vinci Code", share="pb", note="second record repeating an ISBN of the main record's paperback"),
        X("companion", "Secrets of the Code", 2004, of="The Da Vinci Code", by="burstein=Editor|@", sub="The Unauthorized Guide to the Mysteries Behind The Da Vinci Code", subj="Brown, Dan, 1964- Da Vinci code|Criticism and interpretation", note="analysis by others (ed. Dan Burstein)"),
        X("companion", "The Da Vinci Code (SparkNotes Literature Guide)", None, of="The Da Vinci Code", by="sparknotes|@", subj=_SS, note="SparkNotes guide crediting Brown"),
      )),
    A("grisham", "John Grisham", born="8 February 1955", alt="John Ray Grisham Jr.|Grisham, John", printed="Grisham, John|JOHN GRISHAM", subj="Legal stories|Fiction|Lawyers -- Fiction",
      works=(
        W("A Time to Kill", 1989, "Wynwood Press"),
        W("The Firm", 1991, "Doubleday"),
        W("The Pelican Brief", 1992, "Doubleday"),
        W("The Client", 1993, "Doubleday"),
        W("The Chamber", 1994, "Doubleday"),
        W("The Rainmaker", 1995, "Doubleday"),
        W("The Runaway Jury", 1996, "Doubleday"),
        W("The Partner", 1997, "Doubleday"),
        W("The Street Lawyer", 1998, "Doubleday"),
        W("The Testament", 1999, "Doubleday"),
        W("A Painted House", 2001, "Doubleday"),
        W("The Innocent Man", 2006, "Doubleday", sub="Murder and Injustice in a Small Town", kind="nonfiction", subj="Judicial error -- Oklahoma|True crime"),
        W("Sycamore Row", 2013, "Doubleday"),
        W("Camino Island", 2017, "Doubleday"),
      ),
      mess=(
        X("translation", "Die Firma", 1992, of="The Firm", lang="de", n=2, note="German translation filed as its own work"),
        X("duplicate", "The firm.", 1991, of="The Firm", lang="-", note="second record: lower-case title with a closing period, one edition, no language"),
      )),
    A("patterson", "James Patterson", born="22 March 1947", alt="James Brendan Patterson|Patterson, James", printed="Patterson, James|JAMES PATTERSON", subj="Thriller|Suspense fiction|Fiction",
      works=(
        W("The Thomas Berryman Number", 1976, "Little, Brown"),
        W("Along Came a Spider", 1993, "Little, Brown", subj="Cross, Alex (Fictitious character) -- Fiction"),
        W("Kiss the Girls", 1995, "Little, Brown", subj="Cross, Alex (Fictitious character) -- Fiction"),
        W("Jack & Jill", 1996, "Little, Brown", subj="Cross, Alex (Fictitious character) -- Fiction"),
        W("Cat & Mouse", 1997, "Little, Brown", subj="Cross, Alex (Fictitious character) -- Fiction"),
        W("Pop Goes the Weasel", 1999, "Little, Brown", subj="Cross, Alex (Fictitious character) -- Fiction"),
        W("Roses Are Red", 2000, "Little, Brown", subj="Cross, Alex (Fictitious character) -- Fiction"),
        W("1st to Die", 2001, "Little, Brown", subj="Women's Murder Club (Imaginary organization) -- Fiction"),
        W("Violets Are Blue", 2001, "Little, Brown", subj="Cross, Alex (Fictitious character) -- Fiction"),
        W("2nd Chance", 2002, "Little, Brown", co="gross", subj="Women's Murder Club (Imaginary organization) -- Fiction"),
        W("4th of July", 2005, "Little, Brown", co="paetro", subj="Women's Murder Club (Imaginary organization) -- Fiction"),
        W("Maximum Ride", 2005, "Little, Brown", sub="The Angel Experiment", kind="children", subj="Juvenile fiction|Science fiction"),
        W("The President Is Missing", 2018, "Little, Brown and Knopf", co="clinton", subj="Presidents -- United States -- Fiction|Cyberterrorism -- Fiction"),
      ),
      mess=(
        X("duplicate", "Along came a spider : a novel", 1993, of="Along Came a Spider", note="second record with the subtitle folded into a lower-case title"),
        X("companion", "Summary of The President Is Missing", 2018, of="The President Is Missing", by="quickread|@|clinton", subj=_SS, note="invented summary-mill record crediting both real authors"),
      )),
    A("clinton", "Bill Clinton", born="19 August 1946", alt="William Jefferson Clinton|Clinton, Bill"),
    A("paetro", "Maxine Paetro", alt="Paetro, Maxine"),
    A("gross", "Andrew Gross", alt="Gross, Andrew"),
    A("weir", "Andy Weir", id="OL7234434A", born="16 June 1972", alt="Andrew Taylor Weir|Weir, Andy", printed="ANDY WEIR|Weir, Andy|Andrew Weir", subj="Science fiction|Fiction|Space flight -- Fiction",
      bio="American novelist and former software engineer, author of The Martian.",
      works=(
        W("The Martian", 2011, None, id="OL17091839W", fmt="eBook", later="Crown:2014", real="first=-|pb=0553418025", tr="it=L'uomo di Marte", extra=(E("Audio CD", "en", date="2014", prov="gb|db", by="Weir, Andy"),), subj="Science fiction|Mars (Planet) -- Fiction|Astronauts -- Fiction|Survival -- Fiction",
          desc="Astronaut Mark Watney is left behind on Mars after his crew believes him dead, and has to survive there until a rescue can reach him."),
        W("Artemis", 2017, "Crown", prov="ol|gb", subj="Science fiction|Moon -- Fiction|Smuggling -- Fiction",
          desc="Jazz Bashara, a porter and part-time smuggler in Artemis, the first city on the Moon, is drawn into a conspiracy for control of the city."),
        W("Project Hail Mary", 2021, "Ballantine Books", prov="ol|gb", subj="Science fiction|Interstellar travel -- Fiction|Astronauts -- Fiction",
          desc="Ryland Grace wakes alone on a spacecraft with no memory of how he got there, on a last-chance mission to save Earth from a microbe that is dimming the Sun."),
        W("The Egg", 2009, None, kind="short", prov="ol", real="first=-", subj="Short stories|Reincarnation -- Fiction",
          desc="A short story: a man who has just died meets God, who tells him the nature of his existence."),
        W("Lacero", 2014, None, kind="short", prov="ol|gb", subj="Short stories|Science fiction"),
        W("Randomize", 2019, "Amazon Original Stories", kind="short", prov="ol|gb", subj="Short stories|Science fiction|Casinos -- Fiction",
          desc="A short story about a heist aimed at a Las Vegas casino's new quantum random-number generator."),
        W("Cheshire Crossing", 2019, "Ten Speed Press", kind="graphic", co="andersen=Illustrator", prov="ol|gb", subj="Graphic novels|Fantasy fiction"),
      ),
      mess=(
        X("translation", "Der Marsianer", 2014, of="The Martian", lang="de", pub="Heyne", n=3, note="German translation filed as its own work"),
        X("translation", "Seul sur Mars", 2014, of="The Martian", lang="fr", n=2, note="French translation filed as its own work"),
        X("translation", "El marciano", 2014, of="The Martian", lang="es", n=2, note="Spanish translation filed as its own work"),
        X("translation", "Проект «Аве Мария»", 2021, of="Project Hail Mary", lang="ru", n=1, note="Russian translation filed as its own work"),
        X("translation", "Artemis", 2017, of="Artemis", lang="de", pub="Heyne", n=2, note="German translation under the English title: only the editions' language tells"),
        X("collection", "Andy Weir 3 Books Collection Set: The Martian, Artemis, Project Hail Mary", 2022, n=1, subj="Boxed sets|Science fiction", note="box set of three novels already listed"),
        X("companion", "Study Guide: The Martian by Andy Weir (SuperSummary)", 2019, of="The Martian", by="supersummary|@", subj=_SS, note="study guide by SuperSummary, crediting Weir as a co-author as OpenLibrary sometimes does"),
        X("companion", "Summary of Project Hail Mary by Andy Weir", 2021, of="Project Hail Mary", by="quickread|@", subj=_SS, note="invented summary-mill record crediting Weir"),
        X("duplicate", "The Martian", 2014, of="The Martian", n=1, note="second record of The Martian: one edition and a later year"),
        X("duplicate", "The martian : a novel", 2014, of="The Martian", share="pb", note="second record whose one edition repeats the Crown paperback's ISBN"),
        X("not-by-author", "Launch Window", None, by="kessler=Editor|@=Foreword", sub="Stories of Space Exploration", lang="en", subj="Science fiction|Anthologies", note="invented anthology: Weir is credited only for the foreword"),
      )),
    A("andersen", "Sarah Andersen", alt="Andersen, Sarah"),
    A("kessler", "Mara Kessler", alt="Kessler, Mara", bio="Invented anthologist (sample data)."),
    A("sanderson", "Brandon Sanderson", born="19 December 1975", alt="Sanderson, Brandon", printed="Sanderson, Brandon", subj="Fantasy fiction|Fiction|Magic -- Fiction",
      works=(
        W("Elantris", 2005, "Tor"),
        W("Mistborn", 2006, "Tor", sub="The Final Empire"),
        W("The Well of Ascension", 2007, "Tor"),
        W("The Hero of Ages", 2008, "Tor"),
        W("Warbreaker", 2009, "Tor"),
        W("The Way of Kings", 2010, "Tor", tr="es=El camino de los reyes", subj="Fantasy fiction|The Stormlight Archive"),
        W("The Alloy of Law", 2011, "Tor"),
        W("Steelheart", 2013, "Delacorte Press", kind="children", subj="Superheroes -- Fiction|Young adult fiction"),
        W("Words of Radiance", 2014, "Tor", subj="Fantasy fiction|The Stormlight Archive"),
        W("Arcanum Unbounded", 2016, "Tor", sub="The Cosmere Collection", kind="stories", subj="Fantasy fiction|Short stories"),
        W("Oathbringer", 2017, "Tor", subj="Fantasy fiction|The Stormlight Archive"),
        W("Rhythm of War", 2020, "Tor", subj="Fantasy fiction|The Stormlight Archive"),
        W("Tress of the Emerald Sea", 2023, "Dragonsteel Entertainment"),
      ),
      mess=(
        X("duplicate", "The Way of Kings (The Stormlight Archive, Book 1)", 2010, of="The Way of Kings", note="second record with the series folded into the title"),
        X("collection", "Mistborn Trilogy Boxed Set", None, pub="Tor", subj="Boxed sets|Fantasy fiction", note="box set of the first three Mistborn novels"),
        X("translation", "Der Weg der Könige", 2011, of="The Way of Kings", lang="de", pub="Heyne", n=2, note="German translation filed as its own work"),
      )),
    A("pratchett", "Terry Pratchett", born="28 April 1948", died="12 March 2015", alt="Sir Terence David John Pratchett|Terence David John Pratchett|Pratchett, Terry", printed="Pratchett, Terry|TERRY PRATCHETT", subj="Fantasy fiction|Humorous fiction|Discworld (Imaginary place) -- Fiction",
      works=(
        W("The Carpet People", 1971, "Colin Smythe", kind="children", subj="Fantasy fiction|Juvenile fiction"),
        W("The Colour of Magic", 1983, "Colin Smythe", tr="de=Die Farben der Magie"),
        W("The Light Fantastic", 1986, "Colin Smythe"),
        W("Equal Rites", 1987, "Gollancz"),
        W("Mort", 1987, "Gollancz"),
        W("Wyrd Sisters", 1988, "Gollancz"),
        W("Guards! Guards!", 1989, "Gollancz"),
        W("Good Omens", 1990, "Gollancz", sub="The Nice and Accurate Prophecies of Agnes Nutter, Witch", co="gaiman", subj="Fantasy fiction|Humorous fiction|Antichrist -- Fiction"),
        W("Small Gods", 1992, "Gollancz"),
        W("Night Watch", 2002, "Doubleday"),
        W("The Wee Free Men", 2003, "Doubleday", kind="children"),
        W("Going Postal", 2004, "Doubleday"),
        W("Nation", 2008, "Doubleday", kind="children", subj="Fantasy fiction|Islands -- Fiction"),
        W("The Long Earth", 2012, "Doubleday", co="baxter", subj="Science fiction|Parallel universes -- Fiction"),
      ),
      mess=(
        X("translation", "Gevatter Tod", None, of="Mort", lang="de", n=2, note="German translation (retitled) filed as its own work"),
        X("collection", "The First Discworld Novels", 1999, sub="The Colour of Magic and The Light Fantastic", pub="Colin Smythe", subj="Fantasy fiction|Discworld (Imaginary place) -- Fiction", note="omnibus of the first two Discworld novels"),
        X("duplicate", "Guards guards", 1989, of="Guards! Guards!", lang="-", note="second record without the punctuation"),
      )),
    A("baxter", "Stephen Baxter", born="13 November 1957", alt="Baxter, Stephen"),
    A("leguin", "Ursula K. Le Guin", born="21 October 1929", died="22 January 2018", alt="Ursula Kroeber Le Guin|Ursula Le Guin|Ursula K. LeGuin|Le Guin, Ursula K.", printed="Le Guin, Ursula K.|Ursula K. LeGuin|URSULA K. LE GUIN", subj="Science fiction|Fantasy fiction|Fiction",
      works=(
        W("Rocannon's World", 1966, "Ace Books", kind="pbo", subj="Science fiction|Hainish Cycle"),
        W("A Wizard of Earthsea", 1968, "Parnassus Press", kind="children", subj="Fantasy fiction|Earthsea (Imaginary place) -- Fiction|Wizards -- Fiction"),
        W("The Left Hand of Darkness", 1969, "Ace Books", kind="pbo", tr="fr=La Main gauche de la nuit", subj="Science fiction|Hainish Cycle|Gender identity -- Fiction"),
        W("The Lathe of Heaven", 1971, "Scribner"),
        W("The Tombs of Atuan", 1971, "Atheneum", kind="children", subj="Fantasy fiction|Earthsea (Imaginary place) -- Fiction"),
        W("The Farthest Shore", 1972, "Atheneum", kind="children", subj="Fantasy fiction|Earthsea (Imaginary place) -- Fiction"),
        W("The Dispossessed", 1974, "Harper & Row", subj="Science fiction|Hainish Cycle|Utopias -- Fiction"),
        W("The Wind's Twelve Quarters", 1975, "Harper & Row", kind="stories", subj="Science fiction|Short stories"),
        W("The Word for World Is Forest", 1976, None),
        W("Always Coming Home", 1985, "Harper & Row"),
        W("Tehanu", 1990, "Atheneum", subj="Fantasy fiction|Earthsea (Imaginary place) -- Fiction"),
        W("Lavinia", 2008, "Harcourt"),
      ),
      mess=(
        X("translation", "Le Sorcier de Terremer", None, of="A Wizard of Earthsea", lang="fr", n=2, note="French translation filed as its own work, no year"),
        X("collection", "The Earthsea Quartet", 1993, pub="Penguin", subj="Fantasy fiction|Earthsea (Imaginary place) -- Fiction", note="omnibus of the first four Earthsea books", desc="A Wizard of Earthsea, The Tombs of Atuan, The Farthest Shore and Tehanu in one volume."),
        X("collection", "The Books of Earthsea", 2018, by="@|vess=Illustrator", sub="The Complete Illustrated Edition", pub="Saga Press", subj="Fantasy fiction|Earthsea (Imaginary place) -- Fiction", note="illustrated omnibus of the Earthsea books", desc="All the Earthsea novels and stories in one volume, illustrated by Charles Vess."),
      )),
    A("vess", "Charles Vess", alt="Vess, Charles"),
    A("ggm", "Gabriel García Márquez", born="6 March 1927", died="17 April 2014", lang="es", alt="Gabriel José de la Concordia García Márquez|Gabriel Garcia Marquez|Gabo|García Márquez, Gabriel", printed="Gabriel Garcia Marquez|García Márquez, Gabriel|GARCIA MARQUEZ, Gabriel", subj="Fiction|Colombian fiction|Magic realism (Literature)",
      bio="Colombian novelist, short-story writer and journalist; Nobel Prize in Literature 1982.",
      works=(
        W("La hojarasca", 1955, None),
        W("El coronel no tiene quien le escriba", 1961, None, tr="en=No One Writes to the Colonel"),
        W("La mala hora", 1962, None),
        W("Cien años de soledad", 1967, "Editorial Sudamericana", tr="en=One Hundred Years of Solitude|fr=Cent ans de solitude|de=Hundert Jahre Einsamkeit", subj="Fiction|Macondo (Imaginary place) -- Fiction|Magic realism (Literature)"),
        W("Relato de un náufrago", 1970, None, kind="nonfiction", subj="Shipwrecks|Survival at sea"),
        W("El otoño del patriarca", 1975, None),
        W("Crónica de una muerte anunciada", 1981, None),
        W("El amor en los tiempos del cólera", 1985, None),
        W("El general en su laberinto", 1989, None, subj="Bolívar, Simón, 1783-1830 -- Fiction"),
        W("Doce cuentos peregrinos", 1992, None, kind="stories", subj="Short stories, Colombian"),
        W("Del amor y otros demonios", 1994, None),
        W("Noticia de un secuestro", 1996, None, kind="nonfiction", subj="Kidnapping -- Colombia"),
        W("Vivir para contarla", 2002, None, kind="nonfiction", subj="Autobiography|Novelists, Colombian -- Biography"),
        W("Memoria de mis putas tristes", 2004, None),
      ),
      mess=(
        X("translation", "One Hundred Years of Solitude", 1970, of="Cien años de soledad", lang="en", by="@|rabassa=Translator", pub="Harper & Row", n=4, note="English translation filed as its own work, with more editions than the Spanish original"),
        X("translation", "Love in the Time of Cholera", 1988, of="El amor en los tiempos del cólera", lang="en", by="@|grossman=Translator", pub="Knopf", n=3, note="English translation filed as its own work"),
        X("translation", "Chronicle of a Death Foretold", 1982, of="Crónica de una muerte anunciada", lang="en", by="@|rabassa=Translator", n=2, note="English translation filed as its own work"),
        X("companion", "One Hundred Years of Solitude (SparkNotes Literature Guide)", None, of="Cien años de soledad", by="sparknotes|@", lang="en", subj=_SS, note="SparkNotes guide crediting García Márquez"),
        X("not-by-author", "Gabriel García Márquez", 2008, sub="A Life", lang="en", pub="Bloomsbury", subj="García Márquez, Gabriel, 1927-2014|Authors, Colombian -- 20th century -- Biography|Biography", note="biography by Gerald Martin"),
      )),
    A("rabassa", "Gregory Rabassa", born="9 March 1922", died="13 June 2016", alt="Rabassa, Gregory"),
    A("grossman", "Edith Grossman", alt="Grossman, Edith"),
    A("murakami", "Haruki Murakami", born="12 January 1949", lang="ja", alt="村上春樹|Murakami Haruki|Murakami, Haruki", printed="村上春樹|Murakami, Haruki", subj="Fiction|Japanese fiction",
      works=(
        W("Hear the Wind Sing", 1979, "Kodansha", orig="風の歌を聴け"),
        W("Pinball, 1973", 1980, "Kodansha", orig="1973年のピンボール"),
        W("A Wild Sheep Chase", 1982, "Kodansha", orig="羊をめぐる冒険"),
        W("Hard-Boiled Wonderland and the End of the World", 1985, "Shinchosha", orig="世界の終りとハードボイルド・ワンダーランド"),
        W("Norwegian Wood", 1987, "Kodansha", orig="ノルウェイの森", tr="en=Norwegian Wood|de=Naokos Lächeln", subj="Fiction|Tokyo (Japan) -- Fiction|Coming of age -- Fiction"),
        W("Dance Dance Dance", 1988, "Kodansha", orig="ダンス・ダンス・ダンス"),
        W("South of the Border, West of the Sun", 1992, "Kodansha", orig="国境の南、太陽の西", tr="en=South of the Border, West of the Sun"),
        W("The Wind-Up Bird Chronicle", 1994, "Shinchosha", orig="ねじまき鳥クロニクル", tr="en=The Wind-Up Bird Chronicle"),
        W("Sputnik Sweetheart", 1999, "Kodansha", orig="スプートニクの恋人", tr="en=Sputnik Sweetheart"),
        W("海辺のカフカ", 2002, "Shinchosha", subj="Fiction|Japanese fiction|Runaway teenagers -- Fiction"),
        W("After Dark", 2004, "Kodansha", orig="アフターダーク", tr="en=After Dark"),
        W("What I Talk About When I Talk About Running", 2007, "Bungeishunju", orig="走ることについて語るときに僕の語ること", kind="nonfiction", tr="en=What I Talk About When I Talk About Running", subj="Running|Marathon running|Autobiography"),
        W("1Q84", 2009, "Shinchosha"),
        W("Colorless Tsukuru Tazaki and His Years of Pilgrimage", 2013, "Bungeishunju", orig="色彩を持たない多崎つくると、彼の巡礼の年"),
        W("Killing Commendatore", 2017, "Shinchosha", orig="騎士団長殺し"),
      ),
      mess=(
        X("translation", "Kafka on the Shore", 2005, of="海辺のカフカ", lang="en", by="@|pgabriel=Translator", pub="Knopf", n=3, note="English translation filed as its own work; the core record is under the Japanese title"),
        X("translation", "1Q84", 2011, of="1Q84", lang="en", by="@|rubin=Translator|pgabriel=Translator", pub="Knopf", n=3, note="English translation under the same title: only the editions' language tells"),
        X("translation", "Mister Aufziehvogel", 1998, of="The Wind-Up Bird Chronicle", lang="de", n=2, note="German translation filed as its own work"),
        X("companion", "Study Guide: Kafka on the Shore by Haruki Murakami (SuperSummary)", None, of="海辺のカフカ", by="supersummary|@", lang="en", subj=_SS, note="SuperSummary study guide crediting Murakami"),
      )),
    A("rubin", "Jay Rubin", alt="Rubin, Jay"),
    A("pgabriel", "Philip Gabriel", alt="Gabriel, Philip"),
    A("morrison", "Toni Morrison", born="18 February 1931", died="5 August 2019", alt="Chloe Anthony Wofford|Chloe Ardelia Wofford|Morrison, Toni", printed="Morrison, Toni|TONI MORRISON", subj="Fiction|African Americans -- Fiction",
      works=(
        W("The Bluest Eye", 1970, "Holt, Rinehart and Winston"),
        W("Sula", 1973, "Knopf"),
        W("Song of Solomon", 1977, "Knopf"),
        W("Tar Baby", 1981, "Knopf"),
        W("Beloved", 1987, "Knopf", tr="de=Menschenkind|fr=Beloved", subj="Fiction|African American women -- Fiction|Slavery -- Fiction"),
        W("Jazz", 1992, "Knopf"),
        W("Playing in the Dark", 1992, "Harvard University Press", sub="Whiteness and the Literary Imagination", kind="nonfiction", subj="American literature -- History and criticism|Race in literature"),
        W("Paradise", 1997, "Knopf"),
        W("Love", 2003, "Knopf"),
        W("A Mercy", 2008, "Knopf"),
        W("Home", 2012, "Knopf"),
        W("God Help the Child", 2015, "Knopf"),
      ),
      mess=(
        X("companion", "Study Guide: Beloved by Toni Morrison (SuperSummary)", None, of="Beloved", by="supersummary|@", subj=_SS, note="SuperSummary study guide crediting Morrison"),
        X("companion", "CliffsNotes on Morrison's Beloved", None, of="Beloved", by="cliffsnotes|@", subj=_SS, note="CliffsNotes guide crediting Morrison"),
        X("duplicate", "Beloved : a novel", 1987, of="Beloved", lang="-", note="second record with the subtitle folded into the title, no language"),
      )),
    A("ishiguro", "Kazuo Ishiguro", born="8 November 1954", alt="石黒一雄|Ishiguro, Kazuo", printed="Ishiguro, Kazuo|カズオ・イシグロ", subj="Fiction|English fiction",
      bio="British novelist born in Nagasaki who writes in English; Nobel Prize in Literature 2017.",
      works=(
        W("A Pale View of Hills", 1982, "Faber and Faber"),
        W("An Artist of the Floating World", 1986, "Faber and Faber"),
        W("The Remains of the Day", 1989, "Faber and Faber", tr="ja=日の名残り", subj="Fiction|Butlers -- Fiction|England -- Fiction"),
        W("The Unconsoled", 1995, "Faber and Faber"),
        W("When We Were Orphans", 2000, "Faber and Faber"),
        W("Never Let Me Go", 2005, "Faber and Faber", subj="Fiction|Cloning -- Fiction|Boarding schools -- Fiction"),
        W("Nocturnes", 2009, "Faber and Faber", sub="Five Stories of Music and Nightfall", kind="stories"),
        W("The Buried Giant", 2015, "Faber and Faber"),
        W("Klara and the Sun", 2021, "Faber and Faber"),
      ),
      mess=(
        X("translation", "わたしを離さないで", 2006, of="Never Let Me Go", lang="ja", pub="Hayakawa Shobo", n=2, note="Japanese translation filed as its own work: the author writes in English"),
        X("companion", "Never Let Me Go (SparkNotes Literature Guide)", None, of="Never Let Me Go", subj=_SS, note="SparkNotes guide credited to Ishiguro alone"),
      )),
    A("asimov", "Isaac Asimov", born="2 January 1920", died="6 April 1992", alt="Айзек Азимов|Asimov, Isaac|Paul French", printed="Asimov, Isaac|ISAAC ASIMOV", subj="Science fiction|Fiction",
      works=(
        W("I, Robot", 1950, "Gnome Press", kind="stories", subj="Science fiction|Robots -- Fiction|Short stories"),
        W("Pebble in the Sky", 1950, "Doubleday"),
        W("Foundation", 1951, "Gnome Press", tr="fr=Fondation", subj="Science fiction|Foundation (Imaginary organization) -- Fiction"),
        W("Foundation and Empire", 1952, "Gnome Press"),
        W("Second Foundation", 1953, "Gnome Press"),
        W("The Caves of Steel", 1954, "Doubleday", subj="Science fiction|Robots -- Fiction"),
        W("The End of Eternity", 1955, "Doubleday"),
        W("The Naked Sun", 1957, "Doubleday", subj="Science fiction|Robots -- Fiction"),
        W("The Gods Themselves", 1972, "Doubleday"),
        W("Foundation's Edge", 1982, "Doubleday"),
        W("The Robots of Dawn", 1983, "Doubleday"),
        W("Nightfall", 1990, "Doubleday", co="silverberg"),
        W("I. Asimov", 1994, "Doubleday", sub="A Memoir", kind="nonfiction", subj="Autobiography|Science fiction -- Authorship"),
      ),
      mess=(
        X("collection", "The Foundation Trilogy", None, pub="Doubleday", n=2, subj="Science fiction|Boxed sets", note="omnibus of Foundation, Foundation and Empire and Second Foundation", desc="Foundation, Foundation and Empire and Second Foundation in one volume."),
      )),
    A("silverberg", "Robert Silverberg", born="15 January 1935", alt="Silverberg, Robert"),
    A("austen", "Jane Austen", born="16 December 1775", died="18 July 1817", alt="A Lady|Austen, Jane", printed="Austen, Jane|JANE AUSTEN", subj="Fiction|England -- Social life and customs -- 19th century -- Fiction|Love stories",
      works=(
        W("Sense and Sensibility", 1811, "Thomas Egerton"),
        W("Pride and Prejudice", 1813, "Thomas Egerton", tr="fr=Orgueil et Préjugés|de=Stolz und Vorurteil", subj="Fiction|Courtship -- Fiction|Sisters -- Fiction|Bennet, Elizabeth (Fictitious character) -- Fiction"),
        W("Mansfield Park", 1814, "Thomas Egerton"),
        W("Emma", 1815, "John Murray"),
        W("Northanger Abbey", 1817, "John Murray"),
        W("Persuasion", 1817, "John Murray"),
        W("Lady Susan", 1871, "Richard Bentley"),
      ),
      mess=(
        X("duplicate", "Pride and prejudice", 1800, of="Pride and Prejudice", lang="-", note="poorer second record with an impossible EARLIER year (1800): the richer record is the core one"),
        X("translation", "Orgullo y prejuicio", None, of="Pride and Prejudice", lang="es", n=3, note="Spanish translation filed as its own work"),
        X("collection", "The Complete Novels of Jane Austen", None, n=2, subj="Fiction|Boxed sets", note="omnibus of the six novels", desc="Sense and Sensibility, Pride and Prejudice, Mansfield Park, Emma, Northanger Abbey and Persuasion in one volume."),
        X("companion", "CliffsNotes on Austen's Pride and Prejudice", None, of="Pride and Prejudice", by="cliffsnotes|@", subj=_SS, note="CliffsNotes guide crediting Austen"),
        X("not-by-author", "Jane Austen", 1997, sub="A Life", pub="Viking", subj="Austen, Jane, 1775-1817|Novelists, English -- 19th century -- Biography|Biography", note="biography by Claire Tomalin"),
      )),
    A("orwell", "George Orwell", id="OL118077A", born="25 June 1903", died="21 January 1950", alt="Eric Arthur Blair|Eric Blair|Orwell, George|Джордж Оруэлл", printed="Orwell, George|GEORGE ORWELL", subj="Fiction|Political fiction",
      bio="English novelist, essayist and critic, born Eric Arthur Blair.",
      works=(
        W("Down and Out in Paris and London", 1933, "Victor Gollancz", kind="nonfiction", subj="Poverty|Paris (France) -- Social conditions|London (England) -- Social conditions"),
        W("Burmese Days", 1934, "Harper & Brothers"),
        W("A Clergyman's Daughter", 1935, "Victor Gollancz"),
        W("Keep the Aspidistra Flying", 1936, "Victor Gollancz"),
        W("The Road to Wigan Pier", 1937, "Victor Gollancz", kind="nonfiction", subj="Working class -- England|Socialism"),
        W("Homage to Catalonia", 1938, "Secker & Warburg", kind="nonfiction", subj="Spain -- History -- Civil War, 1936-1939 -- Personal narratives"),
        W("Coming Up for Air", 1939, "Victor Gollancz"),
        W("Animal Farm", 1945, "Secker & Warburg", sub="A Fairy Story", tr="fr=La Ferme des animaux|es=Rebelión en la granja", subj="Fiction|Political fiction|Allegories|Domestic animals -- Fiction"),
        W("Nineteen Eighty-Four", 1949, "Secker & Warburg", tr="de=Neunzehnhundertvierundachtzig|fr=1984", subj="Fiction|Dystopias|Totalitarianism -- Fiction|Political fiction"),
      ),
      mess=(
        X("duplicate", "Nineteen eighty-four.", 1949, of="Nineteen Eighty-Four", lang="-", note="second record: lower case, closing period, no language"),
        X("translation", "Farm der Tiere", 1946, of="Animal Farm", lang="de", n=2, note="German translation filed as its own work"),
        X("companion", "1984 (SparkNotes Literature Guide)", None, of="Nineteen Eighty-Four", subj=_SS, note="SparkNotes guide credited to Orwell alone"),
        X("collection", "Animal Farm and 1984", 2003, pub="Harcourt", subj="Fiction|Political fiction", note="one-volume re-bundling of two novels already listed", desc="Animal Farm and Nineteen Eighty-Four in one volume."),
        X("not-by-author", "Orwell", 2003, sub="The Life", pub="Chatto & Windus", subj="Orwell, George, 1903-1950|Authors, English -- 20th century -- Biography|Biography", note="biography by D. J. Taylor"),
      )),
    A("tolkien", "J.R.R. Tolkien", id="OL26320A", born="3 January 1892", died="2 September 1973", alt="John Ronald Reuel Tolkien|J. R. R. Tolkien|Tolkien, J. R. R.|J.R.R Tolkien", printed="Tolkien, J. R. R.|J. R. R. Tolkien|JRR Tolkien", subj="Fantasy fiction|Middle Earth (Imaginary place) -- Fiction|Fiction",
      works=(
        W("The Hobbit", 1937, "George Allen & Unwin", sub="or There and Back Again", kind="children", tr="de=Der kleine Hobbit|fr=Bilbo le Hobbit", subj="Fantasy fiction|Baggins, Bilbo (Fictitious character) -- Fiction|Dragons -- Fiction"),
        W("Farmer Giles of Ham", 1949, "George Allen & Unwin", kind="children"),
        W("The Lord of the Rings", 1954, "George Allen & Unwin", id="OL27448W", tr="es=El Señor de los Anillos|fr=Le Seigneur des anneaux", subj="Fantasy fiction|Middle Earth (Imaginary place) -- Fiction|Frodo Baggins (Fictitious character) -- Fiction"),
        W("The Adventures of Tom Bombadil", 1962, "George Allen & Unwin", kind="poetry", subj="Poetry|Fantasy poetry"),
        W("Tree and Leaf", 1964, "George Allen & Unwin", kind="nonfiction", subj="Fairy tales -- History and criticism|Fantasy literature"),
        W("Smith of Wootton Major", 1967, "George Allen & Unwin", kind="children"),
        W("The Father Christmas Letters", 1976, "George Allen & Unwin", kind="children", subj="Christmas -- Juvenile fiction|Letters"),
        W("The Silmarillion", 1977, "George Allen & Unwin", co="ctolkien=Editor"),
        W("Unfinished Tales", 1980, "George Allen & Unwin", sub="of Númenor and Middle-earth", co="ctolkien=Editor"),
        W("The Children of Húrin", 2007, "HarperCollins", co="ctolkien=Editor"),
        W("Beren and Lúthien", 2017, "HarperCollins", co="ctolkien=Editor"),
        W("The Fall of Gondolin", 2018, "HarperCollins", co="ctolkien=Editor"),
      ),
      mess=(
        X("duplicate", "The Hobbit, or, There and Back Again", 1937, of="The Hobbit", lang="-", note="second record with the subtitle folded into the title"),
        X("translation", "Der Herr der Ringe", 1969, of="The Lord of the Rings", lang="de", pub="Klett-Cotta", n=3, note="German translation filed as its own work"),
        X("collection", "The Hobbit and The Lord of the Rings", None, sub="Boxed Set", pub="Houghton Mifflin Harcourt", subj="Fantasy fiction|Boxed sets", note="box set of two works already listed"),
        X("not-by-author", "J.R.R. Tolkien", 1977, sub="A Biography", pub="George Allen & Unwin", subj="Tolkien, J. R. R. (John Ronald Reuel), 1892-1973|Authors, English -- 20th century -- Biography|Biography", note="biography by Humphrey Carpenter"),
        X("companion", "The Hobbit (SparkNotes Literature Guide)", None, of="The Hobbit", subj=_SS, note="SparkNotes guide credited to Tolkien alone"),
      )),
    A("ctolkien", "Christopher Tolkien", born="21 November 1924", died="16 January 2020", alt="Christopher John Reuel Tolkien|Tolkien, Christopher"),
    A("butler", "Octavia E. Butler", born="22 June 1947", died="24 February 2006", alt="Octavia Estelle Butler|Octavia Butler|Butler, Octavia E.", printed="Butler, Octavia E.|Octavia Butler", subj="Science fiction|African Americans -- Fiction|Fiction",
      works=(
        W("Patternmaster", 1976, "Doubleday"),
        W("Mind of My Mind", 1977, "Doubleday"),
        W("Survivor", 1978, "Doubleday"),
        W("Kindred", 1979, "Doubleday", subj="Science fiction|Time travel -- Fiction|Slavery -- Fiction|African American women -- Fiction"),
        W("Wild Seed", 1980, "Doubleday"),
        W("Clay's Ark", 1984, "St. Martin's Press"),
        W("Dawn", 1987, "Warner Books", subj="Science fiction|Xenogenesis"),
        W("Adulthood Rites", 1988, "Warner Books", subj="Science fiction|Xenogenesis"),
        W("Imago", 1989, "Warner Books", subj="Science fiction|Xenogenesis"),
        W("Parable of the Sower", 1993, "Four Walls Eight Windows"),
        W("Bloodchild and Other Stories", 1995, "Four Walls Eight Windows", kind="stories", subj="Science fiction|Short stories"),
        W("Parable of the Talents", 1998, "Seven Stories Press"),
        W("Fledgling", 2005, "Seven Stories Press", subj="Vampires -- Fiction|Science fiction"),
      ),
      mess=(
        X("collection", "Lilith's Brood", 2000, pub="Warner Books", subj="Science fiction|Xenogenesis", note="omnibus of Dawn, Adulthood Rites and Imago", desc="The Xenogenesis trilogy in one volume: Dawn, Adulthood Rites and Imago."),
        X("companion", "Study Guide: Kindred by Octavia E. Butler (SuperSummary)", None, of="Kindred", by="supersummary|@", subj=_SS, note="SuperSummary study guide crediting Butler"),
      )),
    A("rothfuss", "Patrick Rothfuss", id="OL2830895A", born="6 June 1973", alt="Patrick James Rothfuss|Pat Rothfuss|Rothfuss, Patrick", printed="Rothfuss, Patrick|PATRICK ROTHFUSS", subj="Fantasy fiction|The Kingkiller Chronicle|Fiction",
      works=(
        W("The Name of the Wind", 2007, "DAW Books", id="OL8479867W", subj="Fantasy fiction|The Kingkiller Chronicle|Magicians|Orphans"),
        W("The Wise Man’s Fear", 2011, "DAW Books", id="OL8479869W", subj="Fantasy fiction|The Kingkiller Chronicle|Magicians"),
        W("The Slow Regard of Silent Things", 2014, "DAW Books", id="OL17067388W", kind="short", fmt="Hardcover"),
        W("The Adventures of the Princess and Mr. Whiffle", 2010, "Subterranean Press", sub="The Thing Beneath the Bed", id="OL15678246W", kind="graphic"),
        W("The Narrow Road Between Desires", 2023, None, kind="short", fmt="Hardcover"),
        W("Your Annotated, Illustrated College Survival Guide", None, None, id="OL9772091W", kind="nonfiction", subj="College student orientation"),
        W("Rick and Morty vs. Dungeons & Dragons", None, None, id="OL20073960W", kind="graphic", co="zub", subj="Graphic novels|Comic books, strips, etc."),
      ),
      mess=(
        X("collection", "Kingkiller Chronicle Patrick Rothfuss Collection 3 Books Set", None, id="OL24343635W", subj="", note="box set (a real OpenLibrary record)"),
        X("translation", "Ruzgarin Adi - Kral Katili Guncesi 1. Gun", None, of="The Name of the Wind", lang="tr", id="OL20118208W", n=2, note="Turkish translation filed as its own work (a real OpenLibrary record)"),
        X("translation", "Las aventuras de la Princesa y el señor Fu", None, of="The Adventures of the Princess and Mr. Whiffle", lang="es", id="OL17093029W", note="Spanish translation filed as its own work (a real OpenLibrary record)"),
        X("duplicate", "The Wise Man’s Fear [1/2]", None, of="The Wise Man’s Fear", id="OL16817144W", note="first half of a split edition filed as its own work (a real OpenLibrary record)"),
        X("duplicate", "The Wise Man’s Fear [2/2]", None, of="The Wise Man’s Fear", id="OL16817145W", note="second half of a split edition filed as its own work (a real OpenLibrary record)"),
      )),
    A("zub", "Jim Zub", alt="Zub, Jim"),
    A("jemisin", "N.K. Jemisin", born="19 September 1972", alt="Nora Keita Jemisin|N. K. Jemisin|Jemisin, N. K.", printed="N. K. Jemisin|Jemisin, N.K.", subj="Fantasy fiction|Science fiction|Fiction",
      works=(
        W("The Hundred Thousand Kingdoms", 2010, "Orbit"),
        W("The Broken Kingdoms", 2010, "Orbit"),
        W("The Kingdom of Gods", 2011, "Orbit"),
        W("The Killing Moon", 2012, "Orbit"),
        W("The Shadowed Sun", 2012, "Orbit"),
        W("The Fifth Season", 2015, "Orbit", tr="fr=La Cinquième Saison", subj="Fantasy fiction|The Broken Earth|Earthquakes -- Fiction"),
        W("The Obelisk Gate", 2016, "Orbit", subj="Fantasy fiction|The Broken Earth"),
        W("The Stone Sky", 2017, "Orbit", subj="Fantasy fiction|The Broken Earth"),
        W("How Long 'til Black Future Month?", 2018, "Orbit", kind="stories", subj="Science fiction|Fantasy fiction|Short stories"),
        W("Emergency Skin", 2019, "Amazon Original Stories", kind="short"),
        W("The City We Became", 2020, "Orbit"),
        W("The World We Make", 2022, "Orbit"),
      ),
      mess=(
        X("collection", "The Broken Earth Trilogy", None, sub="The Fifth Season, The Obelisk Gate, The Stone Sky", pub="Orbit", subj="Fantasy fiction|Boxed sets", note="box set of three novels already listed"),
        X("companion", "Study Guide: The Fifth Season by N.K. Jemisin (SuperSummary)", None, of="The Fifth Season", by="supersummary|@", subj=_SS, note="SuperSummary study guide crediting Jemisin"),
      )),
    A("hoover", "Colleen Hoover", born="11 December 1979", alt="Hoover, Colleen", printed="Hoover, Colleen|COLLEEN HOOVER", subj="Romance fiction|Fiction|Love stories",
      works=(
        W("Slammed", 2012, None, kind="pbo", later="Atria Books:2012"),
        W("Point of Retreat", 2012, None, kind="pbo", later="Atria Books:2012"),
        W("Hopeless", 2012, None, kind="pbo", later="Atria Books:2013"),
        W("Maybe Someday", 2014, "Atria Books", kind="pbo"),
        W("Ugly Love", 2014, "Atria Books", kind="pbo"),
        W("Confess", 2015, "Atria Books", kind="pbo"),
        W("November 9", 2015, "Atria Books", kind="pbo"),
        W("It Ends with Us", 2016, "Atria Books", kind="pbo", subj="Romance fiction|Domestic violence -- Fiction"),
        W("Without Merit", 2017, "Atria Books", kind="pbo"),
        W("Verity", 2018, None, kind="pbo", later="Grand Central Publishing:2021", subj="Suspense fiction|Psychological fiction"),
        W("Regretting You", 2019, "Montlake Romance", kind="pbo"),
        W("Reminders of Him", 2022, "Montlake", kind="pbo"),
        W("It Starts with Us", 2022, "Atria Books", kind="pbo", subj="Romance fiction"),
      ),
      mess=(
        X("companion", "Workbook for It Ends with Us", 2022, of="It Ends with Us", by="quickread|@", subj=_SS + "|Workbooks", note="invented workbook record crediting Hoover"),
        X("companion", "Summary of Verity by Colleen Hoover", 2022, of="Verity", by="quickread|@", subj=_SS, note="invented summary-mill record crediting Hoover"),
        X("translation", "Nur noch ein einziges Mal", 2017, of="It Ends with Us", lang="de", n=2, note="German translation (retitled) filed as its own work"),
        X("collection", "Colleen Hoover Collection 3 Books Set", 2022, subj="Boxed sets", note="box set of three novels already listed"),
      )),
    A("rooney", "Sally Rooney", born="20 February 1991", alt="Rooney, Sally", printed="Rooney, Sally", subj="Fiction|Ireland -- Fiction",
      works=(
        W("Conversations with Friends", 2017, "Faber and Faber"),
        W("Normal People", 2018, "Faber and Faber", tr="de=Normale Menschen", subj="Fiction|Young adults -- Ireland -- Fiction|Love stories"),
        W("Mr Salary", 2019, "Faber and Faber", kind="short", fmt="Paperback"),
        W("Beautiful World, Where Are You", 2021, "Faber and Faber"),
        W("Intermezzo", 2024, "Faber and Faber"),
      ),
      mess=(
        X("translation", "Gespräche mit Freunden", None, of="Conversations with Friends", lang="de", n=2, note="German translation filed as its own work"),
        X("companion", "Study Guide: Normal People by Sally Rooney (SuperSummary)", None, of="Normal People", by="supersummary|@", subj=_SS, note="SuperSummary study guide crediting Rooney"),
        X("duplicate", "Beautiful world, where are you : a novel", 2021, of="Beautiful World, Where Are You", note="second record: lower case, with ': a novel'"),
      )),
    A("crichton", "Michael Crichton", born="23 October 1942", died="4 November 2008", alt="John Michael Crichton|John Lange|Jeffery Hudson|Crichton, Michael", printed="Crichton, Michael|MICHAEL CRICHTON", subj="Science fiction|Thriller|Fiction",
      works=(
        W("The Andromeda Strain", 1969, "Knopf"),
        W("The Terminal Man", 1972, "Knopf"),
        W("The Great Train Robbery", 1975, "Knopf"),
        W("Eaters of the Dead", 1976, "Knopf"),
        W("Congo", 1980, "Knopf"),
        W("Sphere", 1987, "Knopf"),
        W("Jurassic Park", 1990, "Knopf", tr="es=Parque jurásico", subj="Science fiction|Dinosaurs -- Fiction|Genetic engineering -- Fiction"),
        W("Rising Sun", 1992, "Knopf"),
        W("Disclosure", 1994, "Knopf"),
        W("The Lost World", 1995, "Knopf", subj="Science fiction|Dinosaurs -- Fiction"),
        W("Airframe", 1996, "Knopf"),
        W("Timeline", 1999, "Knopf"),
        W("Prey", 2002, "HarperCollins"),
        W("State of Fear", 2004, "HarperCollins"),
        W("Next", 2006, "HarperCollins"),
      ),
      mess=(
        X("duplicate", "Jurassic park : a novel", 1990, of="Jurassic Park", share="first", note="second record whose one edition repeats the first edition's ISBN"),
        X("translation", "Jurassic Park", 1991, of="Jurassic Park", lang="de", n=2, note="German translation under the English title: only the editions' language tells"),
        X("companion", "Jurassic Park (SparkNotes Literature Guide)", None, of="Jurassic Park", by="sparknotes|@", subj=_SS, note="SparkNotes guide crediting Crichton"),
      )),
    A("adams", "Douglas Adams", born="11 March 1952", died="11 May 2001", alt="Douglas Noël Adams|Douglas Noel Adams|Adams, Douglas", printed="Adams, Douglas|DOUGLAS ADAMS", subj="Science fiction|Humorous fiction|Fiction",
      works=(
        W("The Hitchhiker's Guide to the Galaxy", 1979, "Pan Books", tr="fr=Le Guide du voyageur galactique", subj="Science fiction|Humorous fiction|Dent, Arthur (Fictitious character) -- Fiction"),
        W("The Restaurant at the End of the Universe", 1980, "Pan Books"),
        W("Life, the Universe and Everything", 1982, "Pan Books"),
        W("The Meaning of Liff", 1983, "Pan Books", co="lloyd", kind="nonfiction", subj="English language -- Humor|Dictionaries"),
        W("So Long, and Thanks for All the Fish", 1984, "Pan Books"),
        W("Dirk Gently's Holistic Detective Agency", 1987, "Heinemann"),
        W("The Long Dark Tea-Time of the Soul", 1988, "Heinemann"),
        W("Last Chance to See", 1990, "Heinemann", co="carwardine", kind="nonfiction", subj="Endangered species|Wildlife conservation"),
        W("Mostly Harmless", 1992, "Heinemann"),
        W("The Salmon of Doubt", 2002, "Macmillan", sub="Hitchhiking the Galaxy One Last Time", kind="stories"),
      ),
      mess=(
        X("collection", "The Hitchhiker's Guide to the Galaxy: The Complete Trilogy in Five Parts", None, n=2, subj="Science fiction|Humorous fiction|Boxed sets", note="omnibus of the five Hitchhiker's novels"),
        X("translation", "Per Anhalter durch die Galaxis", 1981, of="The Hitchhiker's Guide to the Galaxy", lang="de", n=3, note="German translation filed as its own work"),
        X("duplicate", "The hitch hiker's guide to the galaxy", 1979, of="The Hitchhiker's Guide to the Galaxy", lang="-", note="second record with the original 'Hitch Hiker's' spelling, in lower case"),
      )),
    A("lloyd", "John Lloyd", alt="Lloyd, John"),
    A("carwardine", "Mark Carwardine", alt="Carwardine, Mark"),
    A("liu", "Liu Cixin", born="23 June 1963", lang="zh", alt="刘慈欣|Cixin Liu|Liu Ci-xin|Liu, Cixin", printed="Cixin Liu|刘慈欣", subj="Science fiction|Chinese fiction",
      works=(
        W("三体", 2008, "Chongqing Publishing House", subj="Science fiction|Chinese science fiction|Human-alien encounters -- Fiction"),
        W("黑暗森林", 2008, "Chongqing Publishing House", subj="Science fiction|Chinese science fiction"),
        W("死神永生", 2010, "Chongqing Publishing House", subj="Science fiction|Chinese science fiction"),
        W("超新星纪元", 2003, None, tr="en=Supernova Era"),
        W("球状闪电", 2004, None, tr="en=Ball Lightning"),
        W("流浪地球", 2000, None, kind="short"),
      ),
      mess=(
        X("translation", "The Three-Body Problem", 2014, of="三体", lang="en", by="@|kenliu=Translator", pub="Tor Books", n=4, note="English translation filed as its own work, with more editions than the Chinese original"),
        X("translation", "The Dark Forest", 2015, of="黑暗森林", lang="en", by="@|martinsen=Translator", pub="Tor Books", n=3, note="English translation filed as its own work"),
        X("translation", "Death's End", 2016, of="死神永生", lang="en", by="@|kenliu=Translator", pub="Tor Books", n=3, note="English translation filed as its own work"),
        X("collection", "Remembrance of Earth's Past", None, sub="The Three-Body Trilogy", lang="en", pub="Tor Books", subj="Science fiction|Boxed sets", note="English box set of the translated trilogy: a box set in another language is still a collection of the core works it bundles"),
      )),
    A("kenliu", "Ken Liu", born="1976", alt="Liu, Ken"),
    A("martinsen", "Joel Martinsen", alt="Martinsen, Joel"),
    A("mitchell_novelist", "David Mitchell", born="12 January 1969", alt="David Stephen Mitchell|Mitchell, David", printed="Mitchell, David", subj="Fiction|English fiction",
      bio="English novelist (born 1969), author of Cloud Atlas. Not the comedian of the same name.",
      works=(
        W("Ghostwritten", 1999, "Sceptre"),
        W("number9dream", 2001, "Sceptre"),
        W("Cloud Atlas", 2004, "Sceptre", tr="de=Der Wolkenatlas", subj="Fiction|Reincarnation -- Fiction|Interpersonal relations -- Fiction"),
        W("Black Swan Green", 2006, "Sceptre"),
        W("The Thousand Autumns of Jacob de Zoet", 2010, "Sceptre"),
        W("The Bone Clocks", 2014, "Sceptre"),
        W("Slade House", 2015, "Sceptre"),
        W("Utopia Avenue", 2020, "Sceptre"),
      ),
      mess=(
        X("companion", "Study Guide: Cloud Atlas by David Mitchell (SuperSummary)", None, of="Cloud Atlas", by="supersummary|@", subj=_SS, note="SuperSummary study guide crediting the novelist"),
        X("not-by-author", "Back Story", 2012, pub="Fourth Estate", prov="ol", subj="Mitchell, David, 1974-|Comedians -- Great Britain -- Biography|Autobiography", note="the comedian David Mitchell's memoir mis-filed under the novelist, under the title of the comedian's own record: the dated heading and the subjects are the other man's"),
      )),
    A("mitchell_comedian", "David Mitchell", born="14 July 1974", alt="David James Mitchell|Mitchell, David", subj="Humor|Autobiography",
      bio="English comedian, actor and writer (born 1974), of Peep Show. Not the novelist of the same name.",
      works=(
        W("Back Story", 2012, None, kind="nonfiction", subj="Comedians -- Great Britain -- Biography|Autobiography"),
        W("Thinking About It Only Makes It Worse", 2014, "Guardian Faber", sub="And Other Lessons from Modern Life", kind="nonfiction", subj="Humor|Essays"),
        W("Dishonesty Is the Second-Best Policy", 2019, "Guardian Faber", sub="And Other Rules to Live By", kind="nonfiction", subj="Humor|Essays"),
        W("Unruly", 2023, "Michael Joseph", sub="A History of England's Kings and Queens", kind="nonfiction", subj="Great Britain -- Kings and rulers -- Humor|History"),
      )),
    A("chiang", "Ted Chiang", born="1967", alt="Chiang, Ted|姜峯楠", printed="Chiang, Ted", subj="Science fiction|Short stories",
      works=(
        W("Stories of Your Life and Others", 2002, "Tor", kind="stories",
          extra=(E("Paperback", "en", "Arrival", "Vintage", "2016", prov="ol|gb|db"),)),
        W("The Merchant and the Alchemist's Gate", 2007, "Subterranean Press", kind="short", fmt="Hardcover"),
        W("The Lifecycle of Software Objects", 2010, "Subterranean Press", kind="short", fmt="Hardcover"),
        W("Exhalation", 2019, "Knopf", sub="Stories", kind="stories"),
      )),
    A("sparknotes", "SparkNotes", alt="Spark Notes|SparkNotes Editors", subj="Study guides"),
    A("cliffsnotes", "CliffsNotes", alt="Cliffs Notes", subj="Study guides"),
    A("supersummary", "SuperSummary", alt="Super Summary", subj="Study guides"),
    A("bookrags", "BookRags", alt="BookRags Editors", subj="Study guides"),
    A("quickread", "Quickread Summaries", subj="Study guides", bio="Invented summary publisher (sample data)."),
    A("rogak", "Lisa Rogak", alt="Rogak, Lisa"),
    A("pitlor", "Heidi Pitlor", alt="Pitlor, Heidi"),
    A("seansmith", "Sean Smith", alt="Smith, Sean"),
    A("geraldmartin", "Gerald Martin", alt="Martin, Gerald"),
    A("tomalin", "Claire Tomalin", alt="Tomalin, Claire"),
    A("djtaylor", "D. J. Taylor", alt="Taylor, D. J.|David John Taylor"),
    A("carpenter", "Humphrey Carpenter", alt="Carpenter, Humphrey"),
    A("burstein", "Dan Burstein", alt="Burstein, Dan"),
)
# fmt: on
