"""The progress line shows generation, evaluations, best figures and pace; nothing off a terminal."""
from rnc.nas.progress import Silent, Status, search_progress


def test_status_summary():
    status = Status(1, 10, 3, 16, 20, 0.42, 0.91, 7.5)
    assert status.summary() == "20 evals, best 0.910 acc / 7.50x, 0.42 s/eval"
    assert "best - acc / -," in Status(0, 10, 0, 16, 0, None, None, None).summary()


def test_silent_without_a_terminal_or_with_quiet(capsys):
    for enabled in (True, False):
        with search_progress(enabled) as progress:
            assert isinstance(progress, Silent)
            progress.update(Status(0, 1, 0, 1, 0, None, None, None))
    assert capsys.readouterr().out == ""
