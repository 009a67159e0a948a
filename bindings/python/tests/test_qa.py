"""QA scorecards and grader agreement from Python: the published examples, the mpmath
oracle, errors, merging, pickling and the pandas tables."""

import math
import pickle

import pytest

import caremetrics as cm
import qa_oracle  # tests/oracle/qa_oracle.py: definitions at 50 digits

SEED_RUBRIC = """
pass 85
section accuracy 40%
item correct-answer 4
item verified-identity 1 critical
section communication 30
item empathy 3
item next-steps 2 na
section process 20%
item followed-script 5
section documentation 10
item tagged 2 na
"""


def test_rubric_text_and_arrays_agree():
    a = cm.Rubric(SEED_RUBRIC)
    b = cm.Rubric.build(
        [("accuracy", 40), ("communication", 30), ("process", 20), ("documentation", 10)],
        [
            ("correct-answer", 0, 4),
            ("verified-identity", "accuracy", 1, True),
            ("empathy", 1, 3),
            cm.qa.Item("next-steps", 1, 2, na=True),
            ("followed-script", 2, 5),
            ("tagged", "documentation", 2, False, True),
        ],
        85,
    )
    assert a.items == b.items and a.sections == b.sections and a.pass_score == 85.0
    awards = [3, 1, 1, None, 5, 2]
    assert a.score(awards) == b.score(awards)


def test_scores_by_hand():
    r = cm.Rubric(SEED_RUBRIC)
    # accuracy 4/5 = 80, communication 1/3 (next-steps N/A), process 100, documentation 100:
    # 0.4*80 + 0.3*33.33.. + 20 + 10 = 72
    res = r.score([3, 1, 1, None, 5, 2])
    assert res.score == pytest.approx(72.0, abs=1e-12)
    assert not res.passed and not res.critical_failed and res.na_items == 1
    assert res.sections["communication"] == pytest.approx(100 / 3, rel=1e-15)
    # documentation all N/A: its weight goes to the others, (0.4*100 + 0.3*100 + 0.2*100)/0.9 = 100
    res = r.score({"correct-answer": 4, "verified-identity": 1, "empathy": 3, "next-steps": 2,
                   "followed-script": 5, "tagged": None})
    assert res.score == 100.0 and res.passed and res.sections["documentation"] is None
    # critical item missed: final 0, raw kept
    res = r.score([4, 0, 3, 2, 5, 2])
    assert res.score == 0.0 and res.raw_score == pytest.approx(92.0) and res.critical_failed


def test_rubric_errors():
    with pytest.raises(cm.ParseError) as e:
        cm.Rubric("pass 80\nsection a 60\nitem x 1\nsection b 30\nitem y 1\n")
    assert (e.value.line, e.value.column) == (4, 11) and "add up" in str(e.value)
    r = cm.Rubric(SEED_RUBRIC)
    with pytest.raises(cm.InvalidArgumentError):
        r.score([4, None, 3, 2, 5, 2])  # N/A on a critical item
    with pytest.raises(cm.OutOfRangeError):
        r.score([5, 1, 3, 2, 5, 2])  # above the item's points
    with pytest.raises(cm.NotFoundError):
        r.score({"correct-answer": 4, "nope": 1})  # unknown item
    with pytest.raises(cm.InvalidArgumentError, match="next-steps"):
        r.score({"correct-answer": 4, "verified-identity": 1, "empathy": 3})
    with pytest.raises(cm.InvalidArgumentError, match="6 items"):
        r.score([1, 2])
    with pytest.raises(cm.OutOfRangeError):
        r.score([2**40, 1, 3, 2, 5, 2])  # does not fit int32
    with pytest.raises(cm.InvalidArgumentError, match="NUL"):
        cm.Rubric("pass 80\0")
    with pytest.raises(cm.InvalidArgumentError):
        cm.Rubric.build([("a", 50), ("b", 40)], [("x", 0, 1), ("y", 1, 1)], 80)  # weights
    with pytest.raises(cm.InvalidArgumentError):
        cm.Rubric.build([("a", 100)], [("x", 0, 1, True, True)], 80)  # critical and N/A


def test_score_many_and_accumulator():
    r = cm.Rubric(SEED_RUBRIC)
    rows = [[4, 1, 3, 2, 5, 2], [3, 1, 2, 2, 4, 1], [4, 0, 3, 2, 5, 2], [4, 1, 3, None, 5, None]]
    scores, flags = r.score_many(rows)
    acc = cm.QaScores()
    for row, s, f in zip(rows, scores, flags):
        one = r.score(row)
        assert one.score == s and one.flags == f
        acc.add_result(one)
    bulk = cm.QaScores().add_many(scores, flags)
    assert bulk == acc
    res = acc.result()
    assert res.n == 4 and res.pass_rate.num == 2 and res.critical_rate.num == 1
    assert res.pass_rate == cm.rate(2, 4)
    # merge, + and pickle give the same bytes
    a, b = cm.QaScores().add_many(scores[:2], flags[:2]), cm.QaScores().add_many(scores[2:], flags[2:])
    assert a + b == acc
    assert pickle.loads(pickle.dumps(acc)) == acc
    with pytest.raises(cm.ParseError):
        cm.QaScores.from_bytes(acc.to_bytes()[:-1])
    with pytest.raises(cm.OutOfRangeError):
        acc.add(100.5)
    with pytest.raises(cm.InvalidArgumentError):
        acc.add(float("nan"))
    with pytest.raises(cm.InvalidArgumentError):
        acc.add(0.0, passed=True, critical_failed=True)
    with pytest.raises(cm.NoDataError):
        cm.QaScores().result()


@pytest.mark.parametrize("case", qa_oracle.MEAN_CASES)
def test_mean_interval_matches_mpmath(case):
    scores, rep, conf = case
    acc = cm.QaScores()
    for s in scores * rep:
        acc.add(s)
    r = acc.result(float(conf))
    mean, sd, lo, hi = qa_oracle.mean_interval(scores * rep, conf)
    assert r.mean == pytest.approx(float(mean), rel=1e-12)
    assert abs(r.lo - float(lo)) < 1e-9 and abs(r.hi - float(hi)) < 1e-9


def test_alerts_two_weeks_below():
    assert cm.qa.alerts([90, 84, 83, 86, 85, 80, 79, 78], 85, 2) == [2, 6, 7]
    with pytest.raises(cm.OutOfRangeError):
        cm.qa.alerts([90, 101], 85, 2)
    with pytest.raises(cm.NoDataError):
        cm.qa.alerts([], 85, 2)


def test_krippendorff_published_example():
    data = [[None if x is None else x for x in row] for row in qa_oracle.KRIPPENDORFF]
    published = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}
    for level, value in published.items():
        a = cm.qa.alpha(data, level)
        assert round(a.alpha, 3) == value
        want, _, _ = qa_oracle.alpha(qa_oracle.KRIPPENDORFF, level)
        assert a.alpha == pytest.approx(float(want), rel=1e-12)
        assert a.pairable_values == 40


def test_shrout_fleiss_published_example():
    r = cm.qa.icc(qa_oracle.SHROUT_FLEISS)
    got = [r.icc1, r.icc2, r.icc3, r.icc1k, r.icc2k, r.icc3k]
    assert [round(x, 2) for x in got] == [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]
    want = qa_oracle.icc(qa_oracle.SHROUT_FLEISS)
    for g, w in zip(got + [r.bms, r.wms, r.jms, r.ems], want):
        assert g == pytest.approx(float(w), rel=1e-12)


def test_agreement_errors():
    with pytest.raises(cm.InvalidArgumentError):
        cm.qa.alpha([[1], [2]])  # one rater
    with pytest.raises(cm.NoDataError):
        cm.qa.alpha([[1, None], [None, 2]])  # no unit rated twice
    with pytest.raises(cm.OutOfRangeError):
        cm.qa.alpha([[1, -2], [3, 4]], "ratio")
    with pytest.raises(cm.InvalidArgumentError, match="level"):
        cm.qa.alpha([[1, 2]], "cardinal")
    with pytest.raises(cm.InvalidArgumentError):
        cm.qa.icc([[1, 2], [3, None]])
    with pytest.raises(cm.InvalidArgumentError):
        cm.qa.icc([[1, 2], [3, float("nan")]])
    with pytest.raises(cm.NoDataError):
        cm.qa.icc([[1, 2]])


def test_grader_deviation():
    rows = [[80, 82, 90], [70, 70, 76], [90, None, 96], [None, None, 50]]
    d = cm.qa.grader_deviation(rows)
    assert [x.n for x in d] == [3, 2, 3]
    assert d[0].mean == pytest.approx(-5.0) and d[2].mean == pytest.approx(7.0)


def test_pandas_tables():
    pd = pytest.importorskip("pandas")
    r = cm.Rubric(SEED_RUBRIC)
    ev = pd.DataFrame(
        [[4, 1, 3, 2, 5, 2], [3, 1, 2, 2, 4, 1], [4, 0, 3, 2, 5, 2], [4, 1, 3, None, 5, None]],
        columns=r.item_names,
    )
    ev["agent"] = ["ana", "ana", "bo", "bo"]
    table = cm.qa.scorecards(r, ev, by="agent")
    assert list(table.index) == ["ana", "bo"]
    assert table.loc["ana", "evaluations"] == 2
    assert table.loc["ana", "mean"] == pytest.approx((100 + 77) / 2)
    assert table.loc["bo", "critical_rate"] == 0.5
    graders = pd.DataFrame({"g1": [80, 70, 90], "g2": [82, 70, math.nan], "g3": [90, 76, 96]})
    d = cm.qa.grader_deviation(graders)
    assert list(d.index) == ["g1", "g2", "g3"] and d.loc["g3", "mean"] == pytest.approx(7.0)
