"""The lexical matcher and its bench: plain data in and out, no database."""

from dataclasses import replace
from pathlib import Path

import pytest

from bench.matching import evaluate
from submissions.matching import get_matcher, work_text
from submissions.matching.base import ActivityDoc, SnippetDoc, TaskDoc, WorkDoc
from submissions.matching.lexical import LexicalMatcher
from submissions.matching.lexical.evidence import task_profile, work_items, work_terms
from submissions.matching.lexical.matcher import _brief, features, score
from submissions.matching.lexical.tokens import GENERIC_WEIGHT, code_tokens, specificity, tokens

DEV_SET = Path(__file__).resolve().parents[3] / "shared" / "bench" / "matching-dev.json"

TASKS = (
    TaskDoc(
        id="t-capture",
        key="APP-3",
        role="dev",
        title="Fixtures during teardown can use capsys and capfd",
        description="Fixtures during teardown can again use capsys and capfd to inspect "
        "output captured during tests.",
    ),
    TaskDoc(
        id="t-approx",
        key="APP-4",
        role="dev",
        title="pytest.approx takes Mapping keys order into account",
        description="Fixed pytest.approx which now correctly takes into account Mapping keys "
        "order to compare them.",
    ),
    TaskDoc(
        id="t-junit",
        key="APP-5",
        role="dev",
        title="Junitxml logs for failed tests",
        description="junitxml: logs for failed tests are now passed to the junit report when "
        "the test fails during the call phase.",
    ),
    TaskDoc(
        id="t-logo",
        key="APP-30",
        role="designer",
        title="Redesign the logo for the dark theme",
        description="Draw a new logo variant that reads well on the dark theme background.",
    ),
)

CAPTURE_WORK = WorkDoc(
    role="dev",
    summary=("Fix capsys and capfd teardown in fixtures",),
    activities=(ActivityDoc(app="Editor", title="src/_pytest/capture.py"),),
    snippets=(SnippetDoc(text="def test_capsys_in_teardown(capsys):\n    capsys.readouterr()"),),
)


def match(work: WorkDoc, tasks=TASKS):
    return LexicalMatcher().match(work, tasks)


def test_identifiers_in_paths_and_code_are_split_into_words() -> None:
    assert tokens("src/_pytest/fixtures.py") == ("pytest", "fixtur")
    assert {"rais", "group"} <= set(tokens("RaisesGroup"))
    assert {"rais", "group"} <= set(tokens("raises_group"))
    assert set(tokens("pythonfiles")) <= set(tokens("python_files"))


def test_a_version_is_one_word() -> None:
    assert tokens("Support Python 3.10 and pluggy 1.0") == (
        "support",
        "python",
        "3.10",
        "pluggy",
        "1.0",
    )
    assert "10" not in tokens("Python 3.10")


def test_a_number_in_code_is_a_version_only_in_its_prose_or_of_three_parts() -> None:
    assert "2.0" not in code_tokens("time.sleep(2.0)\nscale = x * 2.0  # don't wait\n'")
    assert "3.10" in code_tokens('python_requires = ">=3.10"')
    assert "3.10" in code_tokens("python_requires = \u201c>=3.10\u201d")  # as OCR reads it
    assert "3.10" in code_tokens('"""Needs Python 3.10\nor later."""')
    assert "2.0" in code_tokens("retry()  # deprecated since 2.0")
    assert "1.2.3" in code_tokens("pin = 1.2.3")


def test_a_word_of_the_language_inside_an_identifier_is_no_topic_in_code() -> None:
    assert "assert" not in code_tokens("result.assert_outcomes(error=2)")
    assert "outcom" in code_tokens("result.assert_outcomes(error=2)")
    assert "typeerror" in code_tokens("raise TypeError(msg)")  # the whole name stays
    assert "assert" in tokens("assert_outcomes")  # prose keeps it


def test_a_decorator_line_is_no_piece_of_its_own() -> None:
    text = '@pytest.mark.parametrize("first", [True, False])\ndef test_first_item(first):'
    work = WorkDoc(role="dev", snippets=(SnippetDoc(text=text),))
    whole, *lines = [item.words for item in work_items(work)]
    assert "parametriz" in whole  # the snippet as a whole keeps it
    assert lines == [frozenset(code_tokens("test_first_item"))]


def test_a_float_in_code_is_no_evidence_for_a_task_naming_that_version() -> None:
    release = TaskDoc(id="t-release", key="APP-9", role="dev", title="Ship the 2.0 release")
    work = WorkDoc(role="dev", snippets=(SnippetDoc(text="backoff = 2.0 * delay"),))
    outcome = match(work, (*TASKS, release))
    assert (outcome.matches, outcome.needs_review) == ((), False)


def test_a_short_form_is_the_word_it_stands_for() -> None:
    assert tokens("docs/usage.rst") == ("document", "usag")
    assert tokens("Update the usage documentation") == ("usag", "document")
    assert tokens("tmp dir") == tokens("temporary directory")


def test_a_short_form_joined_to_a_common_word_is_both_words() -> None:
    assert set(tokens("command line")) < set(tokens("--cmdline"))
    assert set(tokens("documentation strings")) < set(tokens("docstrings"))


def test_a_projects_housekeeping_files_weigh_as_common_words() -> None:
    # Work on any task may add its author to AUTHORS: the file names no topic.
    words = tokens("AUTHORS CHANGELOG CONTRIBUTING CONTRIBUTORS")
    assert len(words) == 4
    assert all(specificity(word) == GENERIC_WEIGHT for word in words)


def test_the_kind_of_a_redacted_secret_is_no_evidence() -> None:
    assert tokens("curl -H [REDACTED:bearer-token] webhook") == tokens("curl -H webhook")
    assert tokens("payments key=[REDACTED:stripe-key]") == tokens("payments key=")


def test_explicit_key_in_branch_name_links_task_with_full_confidence() -> None:
    branch = ActivityDoc(app="Terminal", title="git checkout feature/app-4-order")
    work = WorkDoc(role="dev", activities=(branch,))

    outcome = match(work)

    assert [(m.task_id, m.confidence) for m in outcome.matches] == [("t-approx", 1.0)]
    assert "APP-4" in outcome.matches[0].reason
    assert not outcome.needs_review


def test_explicit_key_with_hash_in_summary_does_not_link_a_longer_number() -> None:
    outcome = match(WorkDoc(role="designer", summary=("Worked on #app-30 today",)))

    assert [m.task_id for m in outcome.matches] == ["t-logo"]


def test_quoted_exact_title_links_task() -> None:
    work = WorkDoc(role="dev", summary=('Done with "Junitxml logs for failed tests"',))

    outcome = match(work)

    assert [(m.task_id, m.confidence) for m in outcome.matches] == [("t-junit", 1.0)]


def test_work_about_a_task_links_it() -> None:
    outcome = match(CAPTURE_WORK)

    assert outcome.matches[0].task_id == "t-capture"
    assert 0.5 <= outcome.matches[0].confidence < 1.0


def test_the_package_named_by_the_folders_of_the_work_does_not_decide_its_task() -> None:
    tasks = (
        TaskDoc("t-plugins", "P-1", "dev", "pytest plugins load from entry points"),
        TaskDoc("t-teardown", "P-2", "dev", "Output captured during teardown", "capsys shows it."),
        TaskDoc("t-junit", "P-3", "dev", "Junit report names", "The junitxml report names cases."),
    )
    work = WorkDoc(
        role="dev",
        activities=(
            ActivityDoc(app="Editor", title="src/pytest/capture.py"),
            ActivityDoc(app="Editor", title="tests/pytest/test_capture.py"),
        ),
        snippets=(
            SnippetDoc(
                text="import pytest\n\ndef test_teardown_output(pytester):\n"
                "    pytester.makeconftest('pytest_plugins = []')\n"
                "    result = pytester.runpytest('-s')"
            ),
        ),
    )

    assert [m.task_id for m in match(work, tasks).matches] == ["t-teardown"]


def test_the_file_worked_on_longest_says_most_about_the_work() -> None:
    tasks = (
        TaskDoc("t-stepwise", "P-1", "dev", "Stepwise mode", "--stepwise resumes from a failure."),
        TaskDoc("t-junit", "P-2", "dev", "Junitxml report names", "Name each case."),
    )

    def shortlist(stepwise_minutes: int, junitxml_minutes: int) -> list[str]:
        files = (
            ("src/pytest/stepwise.py", stepwise_minutes),
            ("src/junitxml.py", junitxml_minutes),
        )
        work = WorkDoc(
            role="dev",
            activities=tuple(ActivityDoc("Editor", path, duration=d) for path, d in files),
        )
        return [task.id for task in LexicalMatcher().shortlist(work, tasks)]

    assert shortlist(30, 1) == ["t-stepwise", "t-junit"]
    assert shortlist(1, 30) == ["t-junit", "t-stepwise"]


def test_the_name_of_a_test_says_more_than_its_plumbing() -> None:
    tasks = (
        TaskDoc("t-stepwise", "P-1", "dev", "Stepwise stops on collection errors"),
        TaskDoc("t-unicode", "P-2", "dev", "Unicode arguments to runpytest", "pytester.runpytest"),
    )
    work = WorkDoc(
        role="dev",
        snippets=(
            SnippetDoc(
                "def test_stop_on_collection_errors(pytester, unicode_args):\n"
                "    result = pytester.runpytest_inprocess(unicode_args)"
            ),
        ),
    )

    assert LexicalMatcher().shortlist(work, tasks)[0].id == "t-stepwise"


def test_a_name_the_code_defines_weighs_more_than_the_code_around_it() -> None:
    work = WorkDoc(
        role="dev",
        snippets=(SnippetDoc("def test_symlinked_conftest(tmp_path):\n    load(unicode_path)"),),
    )

    weights = work_terms(work).weights

    (symlinked,), (unicode,) = tokens("symlinked"), tokens("unicode")
    assert weights[symlinked] > weights[unicode]


def test_other_role_task_needs_stronger_evidence() -> None:
    as_designer = replace(TASKS[0], id="t-capture-design", role="designer")

    same_role = match(CAPTURE_WORK, [TASKS[0], TASKS[2]])
    other_role = match(CAPTURE_WORK, [as_designer, TASKS[2]])
    both = match(CAPTURE_WORK, [as_designer, TASKS[0], TASKS[2]])

    other_confidence = max((m.confidence for m in other_role.matches), default=0.0)
    assert other_confidence < same_role.matches[0].confidence
    assert both.matches[0].task_id == "t-capture"
    assert all("designer task for dev work" in m.reason for m in other_role.matches)


def test_returns_only_ids_of_given_tasks() -> None:
    given = TASKS[1:]

    outcome = match(CAPTURE_WORK, given)

    assert {m.task_id for m in outcome.matches} <= {t.id for t in given}


def test_no_tasks_no_matches() -> None:
    assert match(CAPTURE_WORK, ()).matches == ()


def test_vague_work_is_left_unmatched() -> None:
    work = WorkDoc(
        role="dev",
        summary=("Fixed some bugs and updated tests",),
        activities=(ActivityDoc(app="Editor", title="README.md"),),
    )

    assert match(work).matches == ()


def test_reason_names_the_evidence() -> None:
    reason = match(CAPTURE_WORK).matches[0].reason

    assert 'summary line 1 "Fix capsys and capfd teardown in fixtures"' in reason
    assert '"capsys"' in reason
    assert "\n" not in reason


def test_learning_raises_the_score_of_an_approved_task() -> None:
    work = WorkDoc(
        role="dev",
        summary=("Handle readouterr after the fixture finalizer ran",),
        activities=(ActivityDoc(app="Editor", title="src/_pytest/capture.py"),),
    )
    earlier = WorkDoc(
        role="dev",
        summary=("capture: readouterr works in fixture finalizer",),
        activities=(ActivityDoc(app="Editor", title="src/_pytest/capture.py"),),
    )
    taught = replace(TASKS[0], examples=(work_text(earlier),))

    before = match(work).matches
    after = match(work, [taught, *TASKS[1:]]).matches

    confidence_before = next((m.confidence for m in before if m.task_id == "t-capture"), 0.0)
    assert after[0].task_id == "t-capture"
    assert after[0].confidence > confidence_before


def test_approved_work_teaches_its_file_paths_as_files() -> None:
    approved = "capture: readouterr works in fixture finalizer\nsrc/_pytest/main.py"
    terms = task_profile(replace(TASKS[0], examples=(approved,))).terms

    # Its lines teach at the examples' weight; a file it touched weighs as a file in
    # the work, its folders less than its name: many tasks' work touches the same files.
    assert terms["readouterr"] == pytest.approx(0.5)
    assert terms["main"] == pytest.approx(0.5 * 0.6)
    assert terms["pytest"] < terms["main"]


def test_approved_work_teaches_no_commit_hash() -> None:
    approved = "This reverts commit 431ec6d34ef99d80f90b330876ed6231144a3ce7.\nsrc/431EC6D/patch.py"
    profile = task_profile(replace(TASKS[0], examples=(approved,)))

    # A hash names one commit; its fragments match those of any other hash by chance.
    assert set(profile.terms) - set(profile.own) == {"revert", "patch"}


def test_what_approved_work_taught_is_matched_in_what_the_work_says_not_its_code() -> None:
    tasks = [replace(TASKS[0], examples=("readouterr works in fixture finalizer",))]
    said = WorkDoc(role="dev", summary=("Fix capsys: readouterr in finalizer",))
    coded = replace(
        said,
        summary=("Fix capsys",),
        snippets=(SnippetDoc(text="finalizer = capsys.readouterr()"),),
    )

    # Approved work holds no code: what it taught meets the summary and files only.
    assert score(said, tasks)[0].contributions["readouterr"] > 0
    assert "readouterr" not in score(coded, tasks)[0].contributions


def test_approved_work_teaches_a_task_what_sets_it_apart() -> None:
    shared = "readouterr works in fixture finalizer"
    tasks = (
        replace(TASKS[0], examples=(shared,)),
        replace(TASKS[1], examples=(shared,)),
        replace(TASKS[2], examples=("junit: the JunitReport keeps the FailedTests logs",)),
    )
    profiles = _brief(tasks)[0]

    # A word the approved work of two tasks shares tells each of them half as much; one
    # that joins the task's own words (`junit` + `report`, `failed` + `tests`) is no news.
    assert profiles[0].terms["readouterr"] == pytest.approx(0.5 / 2)
    assert "junitreport" not in profiles[2].terms
    assert "failedtest" not in profiles[2].terms
    assert profiles[2].terms["keep"] == pytest.approx(0.5)


def test_lines_about_other_work_make_a_match_less_sure_not_more() -> None:
    brushes = ("The cache now logs its hits", "Stale entries failed to expire before")
    elsewhere = (
        "Speed up the assertion rewriting cache",
        "A report of the cache size at the end of the session",
        "Benchmarks for the rewrite phase",
        "Cleanups in the import hook",
        "Hash the source with its mtime",
        "Skip rewriting of plugin modules already imported",
        "Document the cache directory layout",
        "Warn once per module",
    )
    short = WorkDoc(role="dev", summary=brushes)
    long = replace(short, summary=(*elsewhere[:2], *brushes, *elsewhere[2:]))

    (alone,) = match(short).matches
    (among_others,) = match(long).matches

    # The same words scattered over a long summary are less likely about the task.
    assert alone.task_id == among_others.task_id == "t-junit"
    assert among_others.confidence < alone.confidence


def test_a_release_no_task_names_dates_the_work_and_is_no_evidence_either_way() -> None:
    dated = WorkDoc(role="dev", summary=("Junitxml logs regression introduced in 7.3.0",))
    undated = WorkDoc(role="dev", summary=("Junitxml logs regression introduced in",))

    assert [c.item for c in score(dated, TASKS)] == [c.item for c in score(undated, TASKS)]


def test_a_runner_up_matching_only_part_of_what_the_best_matches_on_a_line_is_no_rival() -> None:
    tasks = (
        TaskDoc("t-slow", "APP-6", "dev", "Fixed a slowdown of the cleanup of tmp_path", ""),
        TaskDoc("t-warn", "APP-7", "dev", "Silence a warning of rmtree under tmp_path", ""),
        *TASKS,
    )
    work = WorkDoc(role="dev", summary=("Fix tmp_path cleanup slowdown",))

    best, runner_up, *_ = score(work, tasks)

    # The runner-up matches `tmp_path` on the line, which the best task matches too,
    # along with what the line says more: no other reading of it.
    assert (best.task.id, runner_up.task.id) == ("t-slow", "t-warn")
    assert runner_up.item > 0
    assert features(best, runner_up, has_summary=True)[2] == 0.0


def test_summary_lines_that_say_nothing_change_nothing() -> None:
    said = WorkDoc(role="dev", summary=("Junitxml logs for failed tests",))
    files = WorkDoc(role="dev", activities=(ActivityDoc("Editor", "src/junitxml.py"),))

    assert match(replace(said, summary=(*said.summary, "-", "---", "***"))) == match(said)
    assert match(replace(files, summary=("---",))) == match(files)


def test_matcher_is_deterministic() -> None:
    assert match(CAPTURE_WORK) == match(CAPTURE_WORK)


def test_a_task_edited_since_the_last_match_is_matched_by_its_new_text() -> None:
    assert [m.task_id for m in match(CAPTURE_WORK).matches] == ["t-capture"]
    edited = replace(TASKS[0], title="Rename the CLI flags", description="Shorter flag names.")

    assert match(CAPTURE_WORK, (edited, *TASKS[1:])).matches == ()


def test_registry_gives_matchers_by_name() -> None:
    assert get_matcher("lexical").name == "lexical"
    assert get_matcher("tfidf").name == "tfidf"
    with pytest.raises(KeyError, match="lexical"):
        get_matcher("nope")


def test_work_on_two_tasks_links_both() -> None:
    work = WorkDoc(
        role="dev",
        summary=(
            "Fixtures during teardown can use capsys and capfd to inspect captured output",
            "pytest.approx takes Mapping keys order into account to compare them",
        ),
        activities=(
            ActivityDoc(app="Editor", title="src/_pytest/capture.py"),
            ActivityDoc(app="Editor", title="src/_pytest/python_api.py"),
        ),
    )

    assert {m.task_id for m in match(work).matches} == {"t-capture", "t-approx"}


def test_a_summary_line_sharing_one_word_with_another_task_does_not_link_it() -> None:
    tasks = (
        TaskDoc("t-dedent", "P-1", "dev", "Fix source reindenting by using textwrap.dedent"),
        TaskDoc("t-pdb", "P-2", "dev", "Duplicate printing of internal errors"),
        TaskDoc("t-junit", "P-3", "dev", "Junitxml report names", "Names report cases."),
    )
    work = WorkDoc(
        role="dev",
        summary=("Fix source reindenting by using textwrap.dedent", "Remove duplicate test"),
    )

    assert [m.task_id for m in match(work, tasks).matches] == ["t-dedent"]


def test_a_related_task_is_not_linked_too_on_the_words_the_matched_task_explains() -> None:
    tasks = (
        TaskDoc(
            "t-teardown",
            "P-1",
            "dev",
            "Output captured during fixture teardown",
            "capsys shows the output captured during fixture teardown.",
        ),
        TaskDoc(
            "t-binary",
            "P-2",
            "dev",
            "Binary output captured by capsysbinary",
            "capsysbinary keeps binary output captured from a fixture.",
        ),
        TASKS[2],
    )
    work = WorkDoc(
        role="dev",
        summary=("capsys: show output captured during fixture teardown",),
        activities=(ActivityDoc(app="Editor", title="src/pytest/capture.py"),),
        snippets=(
            SnippetDoc(
                text="def test_keeps_output(capsys):\n    binary = capsys.readouterr()\n"
                "    assert binary.out == 'fixture output captured'"
            ),
        ),
    )

    assert [m.task_id for m in match(work, tasks).matches] == ["t-teardown"]


PAYMENT_TASKS = (
    TaskDoc("t-webhook", "PAY-1", "dev", "Stripe webhook setup", "Stripe webhook for Apple Pay"),
    TaskDoc("t-errors", "PAY-2", "dev", "Error handling", "Handle failed payments"),
    TaskDoc("t-receipts", "PAY-3", "dev", "Receipt emails", "Send receipts after payment"),
)


def payment_session(first_line: str) -> WorkDoc:
    return WorkDoc(
        role="dev",
        summary=(
            first_line,
            "Added error handling for failed payment scenarios",
            "Wrote unit tests for payment flow",
        ),
        activities=(ActivityDoc(app="Cursor", title="stripe-webhook.ts"),),
    )


def test_a_session_on_two_tasks_links_each_by_the_part_of_the_work_about_it() -> None:
    work = payment_session("Implemented Stripe webhook handler for Apple Pay")

    matches = match(work, PAYMENT_TASKS).matches

    assert {m.task_id for m in matches} == {"t-webhook", "t-errors"}
    assert [m.confidence for m in matches] == sorted((m.confidence for m in matches), reverse=True)
    assert "summary line 2" in next(m.reason for m in matches if m.task_id == "t-errors")


def test_a_task_named_by_key_does_not_hide_another_part_of_the_work() -> None:
    work = payment_session("PAY-1: the webhook is done")

    matches = match(work, PAYMENT_TASKS).matches

    assert (matches[0].task_id, matches[0].confidence) == ("t-webhook", 1.0)
    assert {m.task_id for m in matches} == {"t-webhook", "t-errors"}


def test_beside_a_task_named_by_key_files_alone_do_not_link_another() -> None:
    work = WorkDoc(
        role="dev",
        summary=("PAY-3: receipts go out",),
        activities=(ActivityDoc(app="Cursor", title="stripe-webhook.ts", duration=67),),
        snippets=(
            SnippetDoc(
                text="export async function handleStripeWebhook(req: Request) {\n"
                "  const signature = req.headers['stripe-signature'];\n}"
            ),
        ),
    )

    assert [m.task_id for m in match(work, PAYMENT_TASKS).matches] == ["t-receipts"]


# Floors a little under what the matcher measures on the dev set (README of the bench),
# so that a regression fails here; the F1 floors are the project's targets (0.95 with
# summaries, 0.80 without), which this matcher reaches by a link each.
@pytest.mark.parametrize(
    ("no_summary", "min_f1", "min_negatives_unmatched", "min_both_linked"),
    [(False, 0.95, 0.97, 0.85), (True, 0.80, 0.93, 0.3)],
    ids=["with-summaries", "files-and-snippets-only"],
)
def test_dev_bench_holds_its_figures(
    no_summary: bool, min_f1: float, min_negatives_unmatched: float, min_both_linked: float
) -> None:
    report = evaluate(DEV_SET, "lexical", no_summary=no_summary, with_learning=True)

    assert report["f1"] >= min_f1
    assert report["negatives_unmatched"] >= min_negatives_unmatched
    assert report["two_tasks"]["both_linked"] >= min_both_linked
    assert report["above_0_8_correct"] >= 0.95
    # Latency is the machine's as much as the code's: a bound with room for a busy one.
    assert report["latency_ms"]["p99"] <= 25
    assert report["latency_ms_500_tasks"]["p50"] <= 50
    learned = report["learn"]
    assert learned["f1_with_learning"] > learned["f1_without_learning"]
    assert learned["repeat_f1_with_learning"] > learned["repeat_f1_without_learning"]
