"""Codebooks: the bundled ones load, bad ones are refused with every problem located."""

import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rater.core.codebook import (
    Codebook,
    default_codebook_path,
    load_codebook,
    parse_codebook,
)
from rater.core.errors import Problem, RaterError

REPO = Path(__file__).resolve().parents[2]
SEVEN_POINT = REPO / "codebook" / "examples" / "seven-point-example.toml"
README = REPO / "codebook" / "README.md"

VALID = """\
id = "tiny"
title = "Tiny codebook"
version = "1.0"
rules = [
    "Rate the whole interview.",
    "Start at 3.",
]

[scale]
min = 1
max = 5

[scale.labels]
1 = "very low"
2 = "low"
3 = "moderate"
4 = "high"
5 = "very high"

[[dimensions]]
id = "warmth"
name = "Warmth"
definition = "Care and respect in tone and words."

[dimensions.anchors]
1 = "Cold."
2 = "Cool."
3 = "Polite."
4 = "Warm."
5 = "Consistently warm."

[[dimensions]]
id = "clarity"
name = "Clarity about concerns"
definition = "How plainly the concerns are stated."
rules = ["Rate what was made clear, not how kindly."]

[dimensions.anchors]
1 = "Not stated."
2 = "Hinted at."
3 = "Stated, partly."
4 = "Stated plainly."
5 = "Stated plainly and understanding checked."
"""


def variant(*edits: tuple[str, str]) -> str:
    """VALID with each (old, new) edit applied once; `old` must occur exactly once."""
    text = VALID
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def lines_of(text: str, fragment: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]


def line_of(text: str, fragment: str) -> int:
    (number,) = lines_of(text, fragment)
    return number


def problems_in(tmp_path: Path, text: str) -> list[Problem]:
    path = tmp_path / "book.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RaterError) as caught:
        load_codebook(path)
    return caught.value.problems


def only_problem(tmp_path: Path, text: str) -> Problem:
    (problem,) = problems_in(tmp_path, text)
    return problem


def at(tmp_path: Path, line: int, key: str) -> str:
    return f"{tmp_path / 'book.toml'}:{line} {key}"


# --------------------------------------------------------------------------------------------
# The bundled codebooks


def test_the_default_codebook_has_four_dimensions_with_five_anchors_each():
    codebook = load_codebook(default_codebook_path())

    assert codebook.id == "simulated-interview"
    assert [d.id for d in codebook.dimensions] == ["warmth", "empathy", "strengths", "clarity"]
    assert codebook.scale.values == (1, 2, 3, 4, 5)
    assert list(codebook.scale.labels) == [1, 2, 3, 4, 5]
    for dimension in codebook.dimensions:
        assert list(dimension.anchors) == [1, 2, 3, 4, 5]
        assert dimension.definition and dimension.rules
    assert len(codebook.rules) >= 5


def test_the_default_codebook_is_the_file_in_the_source_tree():
    # rater/codebook is a symlink to codebook/ (package data in a wheel; see core/bundled.py)
    assert default_codebook_path().resolve() == REPO / "codebook" / "simulated-interview.toml"


def test_default_anchors_fit_a_panel_in_one_to_three_sentences():
    for dimension in load_codebook(default_codebook_path()).dimensions:
        for level, text in dimension.anchors.items():
            sentences = re.findall(r"[.!?](?:\s|$)", text)
            assert 1 <= len(sentences) <= 3, (dimension.id, level, text)


def test_default_rules_keep_the_dimensions_distinct():
    codebook = load_codebook(default_codebook_path())
    empathy_rules = " ".join(codebook.dimension("empathy").rules)
    clarity_rules = " ".join(codebook.dimension("clarity").rules)
    strengths_rules = " ".join(codebook.dimension("strengths").rules)
    general = " ".join(codebook.rules)

    assert "not warmth" in empathy_rules
    assert "not how kindly" in clarity_rules
    assert "Generic praise alone cannot reach 4 or 5" in strengths_rules
    assert "Start every dimension at 3" in general
    assert "one overall judgement" in general
    assert "Do not give a 5 when there are prominent examples of poor practice" in general
    assert "what the parent did not offer" in general


def test_the_seven_point_example_loads():
    codebook = load_codebook(SEVEN_POINT)

    assert codebook.scale.values == (1, 2, 3, 4, 5, 6, 7)
    assert len(codebook.scale.labels) == 7
    assert [d.id for d in codebook.dimensions] == ["purposefulness", "child_focus"]
    assert all(list(d.anchors) == list(range(1, 8)) for d in codebook.dimensions)


def test_the_example_in_the_format_readme_loads():
    example = README.read_text(encoding="utf-8").split("```toml\n", 1)[1].split("```", 1)[0]

    assert parse_codebook(example).scale.values == (1, 2, 3)


# --------------------------------------------------------------------------------------------
# Stored text and digest


def test_parsing_the_stored_text_gives_an_equal_codebook_and_digest():
    loaded = load_codebook(default_codebook_path())

    again = parse_codebook(loaded.source_text)

    assert again == loaded
    assert again.digest == loaded.digest
    assert loaded.digest == hashlib.sha256(default_codebook_path().read_bytes()).hexdigest()


def test_line_endings_and_a_byte_order_mark_do_not_change_the_codebook(tmp_path):
    path = tmp_path / "book.toml"
    path.write_bytes(b"\xef\xbb\xbf" + VALID.replace("\n", "\r\n").encode())

    assert load_codebook(path) == parse_codebook(VALID)
    assert load_codebook(path).digest == parse_codebook(VALID).digest


def test_any_change_to_the_text_changes_the_digest():
    assert parse_codebook(VALID + "# a comment\n").digest != parse_codebook(VALID).digest


def test_the_model_holds_the_parsed_values():
    codebook = parse_codebook(VALID)

    assert isinstance(codebook, Codebook)
    assert (codebook.title, codebook.version, codebook.description) == ("Tiny codebook", "1.0", "")
    assert codebook.rules == ("Rate the whole interview.", "Start at 3.")
    assert codebook.scale.labels[5] == "very high"
    assert codebook.dimension("clarity").anchors[4] == "Stated plainly."
    assert codebook.dimension("clarity").rules == ("Rate what was made clear, not how kindly.",)
    assert codebook.dimension("warmth").rules == ()
    assert hash(codebook) == hash(parse_codebook(VALID))


def test_asking_for_an_unknown_dimension_is_a_key_error():
    with pytest.raises(KeyError, match="empathy"):
        parse_codebook(VALID).dimension("empathy")


# --------------------------------------------------------------------------------------------
# Each kind of bad input names the right line and key


def test_an_unknown_key_is_reported_with_a_suggestion(tmp_path):
    text = variant(('definition = "How plainly', 'defintion = "How plainly'))

    found = problems_in(tmp_path, text)

    assert [p.where for p in found] == [
        at(tmp_path, lines_of(text, "[[dimensions]]")[1], "dimensions[1].definition"),
        at(tmp_path, line_of(text, "defintion"), "dimensions[1].defintion"),
    ]
    assert "missing" in found[0].what
    assert found[1].fix == "did you mean 'definition'?"


def test_an_unknown_key_with_no_close_match_lists_what_is_allowed(tmp_path):
    text = variant(('version = "1.0"', 'version = "1.0"\ncolour = "red"'))

    problem = only_problem(tmp_path, text)

    assert problem.where == at(tmp_path, 4, "colour")
    assert ("allowed here: id, title, version, description, brief, rules, scale, dimensions"
            in problem.fix)


def test_a_missing_key_points_at_its_table(tmp_path):
    text = variant(('definition = "Care and respect in tone and words."\n', ""))

    problem = only_problem(tmp_path, text)

    assert problem.where == at(
        tmp_path, line_of(text, 'id = "warmth"') - 1, "dimensions[0].definition"
    )
    assert problem.what == "required key 'definition' is missing"


def test_a_missing_top_level_key_points_at_the_first_line(tmp_path):
    problem = only_problem(tmp_path, variant(('title = "Tiny codebook"\n', "")))

    assert problem.where == at(tmp_path, 1, "title")


def test_the_version_must_be_text(tmp_path):
    problem = only_problem(tmp_path, variant(('version = "1.0"', "version = 1.0")))

    assert problem.where == at(tmp_path, 3, "version")
    assert problem.what == "version must be text, not a decimal number"
    assert problem.fix == 'put it in quotes: version = "1.0"'


@pytest.mark.parametrize(
    ("old", "new", "key", "what"),
    [
        ("min = 1", 'min = "1"', "scale.min", "min must be a whole number, not text"),
        ("min = 1", "min = true", "scale.min", "min must be a whole number, not true/false"),
        ("max = 5", "max = 5.0", "scale.max", "max must be a whole number, not a decimal number"),
        ('title = "Tiny codebook"', "title = 3", "title", "title must be text, not a whole number"),
        ('"Start at 3.",', "4,", "rules[1]", "list item must be text, not a whole number"),
    ],
)
def test_values_of_the_wrong_type_are_reported(tmp_path, old, new, key, what):
    text = variant((old, new))

    problem = only_problem(tmp_path, text)

    assert problem.where == at(tmp_path, line_of(text, new), key)
    assert problem.what == what


def test_dimensions_written_as_a_single_table_are_reported(tmp_path):
    text = 'id = "x"\ntitle = "x"\nversion = "1"\n[scale]\nmin = 1\nmax = 2\n'
    text += '[scale.labels]\n1 = "low"\n2 = "high"\n[dimensions]\nid = "a"\n'

    problem = only_problem(tmp_path, text)

    assert problem.where == at(tmp_path, 10, "dimensions")
    assert "[[dimensions]]" in problem.fix


def test_a_codebook_needs_at_least_one_dimension(tmp_path):
    text = variant(('version = "1.0"', 'version = "1.0"\ndimensions = []'))
    text = text[: text.index("[[dimensions]]")]

    problem = only_problem(tmp_path, text)

    assert problem.where == at(tmp_path, line_of(text, "dimensions = []"), "dimensions")
    assert problem.what == "the codebook has no dimensions"


@pytest.mark.parametrize(
    ("low", "high", "what"),
    [
        (5, 1, "scale max (1) must be greater than min (5)"),
        (3, 3, "scale max (3) must be greater than min (3)"),
        (-1, 3, "scale min is -1; it must be 0 or more"),
        (0, 11, "the scale has 12 levels (at most 11)"),
    ],
)
def test_unusable_scale_bounds_are_reported(tmp_path, low, high, what):
    text = variant(("min = 1", f"min = {low}"), ("max = 5", f"max = {high}"))

    problem = only_problem(tmp_path, text)

    assert problem.what == what
    assert problem.where.startswith(f"{tmp_path / 'book.toml'}:")
    assert problem.where.endswith(("scale.min", "scale.max"))


def test_a_gap_in_the_scale_labels_is_reported(tmp_path):
    text = variant(('3 = "moderate"\n', ""))

    problem = only_problem(tmp_path, text)

    assert problem.where == at(tmp_path, line_of(text, "[scale.labels]"), "scale.labels.3")
    assert problem.what == "level 3 has no label"
    assert "every level from 1 to 5 needs one" in problem.fix


def test_a_label_outside_the_scale_is_reported(tmp_path):
    text = variant(('5 = "very high"', '5 = "very high"\n6 = "extreme"'))

    problem = only_problem(tmp_path, text)

    assert problem.where == at(tmp_path, line_of(text, "extreme"), "scale.labels.6")
    assert problem.what == "level 6 is outside the scale 1-5"


def test_a_level_that_is_not_a_number_is_reported(tmp_path):
    text = variant(('3 = "moderate"', 'three = "moderate"'))

    found = problems_in(tmp_path, text)

    assert [p.where for p in found] == [
        at(tmp_path, line_of(text, "[scale.labels]"), "scale.labels.3"),
        at(tmp_path, line_of(text, "three"), "scale.labels.three"),
    ]


def test_a_missing_anchor_is_reported_for_its_dimension(tmp_path):
    text = variant(('4 = "Stated plainly."\n', ""))

    problem = only_problem(tmp_path, text)

    anchors_line = lines_of(text, "[dimensions.anchors]")[1]
    assert problem.where == at(tmp_path, anchors_line, "dimensions[1].anchors.4")
    assert problem.what == "level 4 has no anchor"


def test_an_empty_anchor_is_reported(tmp_path):
    text = variant(('3 = "Polite."', '3 = """\n   """'))

    problem = only_problem(tmp_path, text)

    assert problem.where == at(tmp_path, line_of(text, '3 = """'), "dimensions[0].anchors.3")
    assert problem.what == "the text is empty"


def test_an_empty_rule_is_reported_at_its_own_line(tmp_path):
    text = variant(('"Start at 3.",', '"  ",'))

    problem = only_problem(tmp_path, text)

    assert problem.where == at(tmp_path, line_of(text, '"  ",'), "rules[1]")


def test_a_label_too_long_for_exports_is_reported(tmp_path):
    text = variant(('2 = "low"', f'2 = "{"x" * 81}"'))

    problem = only_problem(tmp_path, text)

    assert problem.where == at(tmp_path, line_of(text, "xxx"), "scale.labels.2")
    assert problem.what == "the text is 81 characters long (at most 80)"


def test_duplicate_dimension_ids_are_reported_ignoring_case(tmp_path):
    text = variant(('id = "clarity"', 'id = "Warmth"'))

    problem = only_problem(tmp_path, text)

    assert problem.where == at(tmp_path, line_of(text, 'id = "Warmth"'), "dimensions[1].id")
    assert problem.what == "dimension id 'Warmth' is already used by dimensions[0]"


@pytest.mark.parametrize(
    ("bad_id", "reason"),
    [
        ("2nd", "must start with a letter"),
        ("child-focus", "only ASCII letters, digits and '_'"),
        ("café", "only ASCII letters, digits and '_'"),
        ("_n", "must start with a letter"),
        ("a" * 33, "33 characters long (at most 32)"),
        ("warmth_", "must not end with '_'"),
        ("WITH", "reserved word"),
        ("using", "reserved word"),
        ("pi", "reserved word"),
        ("str12", "reserved word"),
        ("NA", "reserved word"),
    ],
)
def test_dimension_ids_must_be_valid_variable_names(tmp_path, bad_id, reason):
    text = variant(('id = "warmth"', f'id = "{bad_id}"'))

    problem = only_problem(tmp_path, text)

    assert problem.where == at(tmp_path, line_of(text, f'id = "{bad_id}"'), "dimensions[0].id")
    assert reason in problem.what


def test_the_longest_allowed_dimension_id_is_accepted():
    codebook = parse_codebook(variant(('id = "warmth"', f'id = "{"a" * 32}"')))

    assert codebook.dimensions[0].id == "a" * 32


def test_the_codebook_id_must_be_a_simple_name(tmp_path):
    problem = only_problem(tmp_path, variant(('id = "tiny"', 'id = "my book"')))

    assert problem.where == at(tmp_path, 1, "id")


def test_a_toml_syntax_error_gives_line_and_column(tmp_path):
    text = variant(("[scale]", "[scale"))

    problem = only_problem(tmp_path, text)

    assert problem.where == f"{tmp_path / 'book.toml'}:{lines_of(text, '[scale')[0]}:7"
    assert problem.what.startswith("TOML syntax error: ")


def test_a_key_written_twice_is_a_syntax_error(tmp_path):
    problem = only_problem(tmp_path, variant(("max = 5", "max = 5\nmax = 6")))

    assert problem.what.startswith("TOML syntax error: ")


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(RaterError) as caught:
        load_codebook(tmp_path / "absent.toml")

    assert caught.value.problems[0].where == str(tmp_path / "absent.toml")


def test_a_file_that_is_not_utf8_is_reported(tmp_path):
    path = tmp_path / "book.toml"
    path.write_bytes(VALID.replace("Cold.", "Froid\xe9.").encode("latin-1"))

    with pytest.raises(RaterError, match="not UTF-8"):
        load_codebook(path)


def test_every_problem_is_reported_at_once_in_file_order(tmp_path):
    text = variant(
        ('version = "1.0"', "version = 2"),
        ('3 = "moderate"\n', ""),
        ('id = "warmth"', 'id = "with"'),
        ('definition = "How plainly the concerns are stated."\n', ""),
        ('5 = "Consistently warm."', '5 = ""'),
        ('id = "clarity"', 'id = "clarity"\ncolor = "blue"'),
    )

    found = problems_in(tmp_path, text)

    keys = [p.where.split(" ", 1)[1] for p in found]
    assert keys == [
        "version",
        "scale.labels.3",
        "dimensions[0].id",
        "dimensions[0].anchors.5",
        "dimensions[1].definition",
        "dimensions[1].color",
    ]
    lines = [int(p.where.split(" ")[0].rsplit(":", 1)[1]) for p in found]
    assert lines == sorted(lines)


# --------------------------------------------------------------------------------------------
# Lines are found in every way TOML can be written


def test_lines_are_found_past_tricky_strings_and_comments(tmp_path):
    text = variant(
        (
            'definition = "Care and respect in tone and words."',
            'definition = """\nA multi-line text that mentions\nname = "x" and\n[[dimensions]]\n'
            'and a quote \\""" and "" too."""\n# a comment with [brackets] and "quotes"',
        ),
        (
            '1 = "Not stated."\n2 = "Hinted at."\n3 = "Stated, partly."\n'
            '4 = "Stated plainly."\n5 = "Stated plainly and understanding checked."',
            "'1' = 'Not stated in C:\\\\'\n\"2\" = \"Hinted at.\"\n"
            '3 = "Stated, partly."\n5 = """"Quoted" at both ends""""',
        ),
        ('rules = ["Rate what', 'extra = { a = 1, b = [2, "]"] }\nrules = ["Rate what'),
    )

    found = problems_in(tmp_path, text)

    assert [p.where for p in found] == [
        at(tmp_path, line_of(text, "extra = {"), "dimensions[1].extra"),
        at(tmp_path, lines_of(text, "[dimensions.anchors]")[1], "dimensions[1].anchors.4"),
    ]


def test_lines_are_found_for_inline_and_dotted_anchor_tables(tmp_path):
    text = variant(
        (
            '[dimensions.anchors]\n1 = "Cold."\n2 = "Cool."\n3 = "Polite."\n4 = "Warm."\n'
            '5 = "Consistently warm."\n',
            'anchors = { 1 = "Cold.", 2 = "Cool.", 3 = "", 4 = "Warm.", 5 = "Warm!" }\n',
        ),
        (
            '[dimensions.anchors]\n1 = "Not stated."\n2 = "Hinted at."\n',
            'anchors.1 = "Not stated."\nanchors . "2" = "Hinted at."\n',
        ),
        ('4 = "Stated plainly."', 'anchors.4 = " "'),
        ('\n3 = "Stated, partly."', '\nanchors.3 = "Stated, partly."'),
        ('\n5 = "Stated plainly and', '\nanchors.5 = "Stated plainly and'),
    )

    found = problems_in(tmp_path, text)

    assert [p.where for p in found] == [
        at(tmp_path, line_of(text, "anchors = {"), "dimensions[0].anchors.3"),
        at(tmp_path, line_of(text, 'anchors.4 = " "'), "dimensions[1].anchors.4"),
    ]


def toml_basic_string(text: str) -> str:
    """`text` as a TOML multi-line basic string (only quotes and backslashes need escaping)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"""{escaped}"""'


RULE_TEXTS = st.text(st.characters(codec="ascii", exclude_categories=["Cc"]) | st.just("\n"))


@given(st.lists(RULE_TEXTS.filter(str.strip)))
def test_lines_are_found_after_any_rule_texts(texts):
    empty_rule = '    "",'
    rules = "".join(f"    {toml_basic_string(text)},\n" for text in texts)
    text = variant(('    "Start at 3.",\n', f"{rules}{empty_rule}\n"))

    with pytest.raises(RaterError) as caught:
        parse_codebook(text, "book")

    (problem,) = caught.value.problems
    assert problem.where == f"book:{line_of(text, empty_rule)} rules[{len(texts) + 1}]"


@pytest.mark.parametrize("opening, closing", [("[", "]"), ("{a = ", "}")])
def test_a_deeply_nested_value_is_refused_with_file_and_line(opening, closing):
    text = default_codebook_path().read_text(encoding="utf-8")
    line = text.count("\n") + 3
    crafted = text + f"\n[extra]\nx = {opening * 5000}1{closing * 5000}\n"
    with pytest.raises(RaterError) as caught:
        parse_codebook(crafted, "cb.toml")
    [problem] = caught.value.problems
    assert problem.where == f"cb.toml:{line}"
    assert "nested" in problem.what and problem.fix


def test_a_codebook_naming_a_telling_hidden_value_is_found_as_a_whole_word():
    from rater.core.codebook.hidden_names import hidden_values_named

    hidden = {"la": ["Kestrelford", "Marsh Vale", "Kestrelford"], "worker": ["W10", "W11"],
              "vignette": ["V1", "V1"]}
    text = "Read the brief (vignette V1). The worker from marsh vale; W100 is not W10x."
    assert hidden_values_named(text, hidden) == [("la", "Marsh Vale")]
    assert hidden_values_named("Kestrelfords", hidden) == []
    assert hidden_values_named("as W11 said", hidden) == [("worker", "W11")]


def test_a_one_letter_hidden_value_is_not_found_in_every_word_and_two_keep_their_case():
    """Authorities coded A/B/S (or time points 1/2) were 'named' by any codebook: by the
    article 'a', by the 's' of "parent's", by 'score 1'; so no pack could be exported."""
    from rater.core.codebook.hidden_names import hidden_values_named

    hidden = {"la": ["A", "B", "S"], "timepoint": ["1", "2"], "site": ["T1", "T2"],
              "team": ["No", "Yes"]}
    text = "A parent's answer scores 1 or 2; a worker says no to more than one thing."
    assert hidden_values_named(text, hidden) == []
    assert hidden_values_named("as at T1, the team said No", hidden) == [("site", "T1"),
                                                                          ("team", "No")]
    assert hidden_values_named("a t1 and a t2", hidden) == []


def test_the_brief_is_optional_markdown_text(tmp_path):
    text = default_codebook_path().read_text(encoding="utf-8")
    assert load_codebook(default_codebook_path()).brief == ""
    with_brief = tmp_path / "c.toml"
    brief = 'brief = """\n# The visit\nKai, 7.\n"""\n\nrules = ['
    with_brief.write_text(text.replace('rules = [', brief, 1))
    assert load_codebook(with_brief).brief == "# The visit\nKai, 7."
    empty = tmp_path / "e.toml"
    empty.write_text(text.replace('rules = [', 'brief = "  "\nrules = [', 1))
    with pytest.raises(RaterError) as error:
        load_codebook(empty)
    assert "brief" in str(error.value) and "empty" in str(error.value)
