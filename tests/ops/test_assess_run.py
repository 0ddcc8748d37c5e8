"""assess_run (crawler/ops.py): a finished run's status and exit code from its stats and the
site's recent runs, with the project's settings (PARKNEWS_FAIL_THRESHOLD 0.2,
PARKNEWS_DEGRADED_DROP 0.5, PARKNEWS_DEGRADED_MIN_NEW 3)."""
from scrapy.settings import Settings

from crawler import ops

SETTINGS = Settings()
SETTINGS.setmodule("crawler.settings")
GOOD = {"date": 1.0, "body": 1.0, "author": 0.5, "source": 0.9}


def stats(**values):
    base = {"downloader/request_count": 50, "downloader/response_count": 50, "parknews/pages/article": 10,
            "parknews/articles/new": 10, "parknews/incremental/article_links": 40}
    return {**base, **{k.replace("__", "/"): v for k, v in values.items()}}


def recent(n=3, **row):
    return [{"articles_new": 10, "article_links": 40, "coverage": dict(GOOD), **row} for _ in range(n)]


def assess(run_stats, reason="finished", history=None, cover=None):
    return ops.assess_run(run_stats, reason, recent() if history is None else history,
                          dict(GOOD) if cover is None else cover, SETTINGS)


def test_a_usual_run_is_ok():
    verdict = assess(stats())
    assert (verdict.status, verdict.exit_code, verdict.degraded, verdict.failure_rate) == ("ok", ops.EXIT_OK, [], 0.0)


def test_failed_pages_over_the_threshold_fail_the_run_and_budget_refusals_do_not_count():
    assert assess(stats(parknews__pages__failed=11)).exit_code == ops.EXIT_FAILURES      # 22% of 50
    assert assess(stats(parknews__pages__failed=10)).exit_code == ops.EXIT_OK            # 20%: not more
    refused = assess(stats(parknews__pages__failed=30, parknews__budget__refused=30))
    assert (refused.status, refused.failure_rate) == ("ok", 0.0)


def test_our_own_errors_fail_the_run_whatever_else():
    verdict = assess(stats(parknews__errors__item=1), reason="shutdown")
    assert (verdict.status, verdict.exit_code) == ("failed", ops.EXIT_FAILURES)


def test_a_field_share_halving_against_recent_runs_is_degraded():
    verdict = assess(stats(), cover=dict(GOOD, date=0.4))
    assert (verdict.status, verdict.exit_code) == ("degraded", ops.EXIT_DEGRADED)
    assert verdict.degraded == ["date share fell to 40% (usual 100%)"]
    assert assess(stats(), cover=dict(GOOD, date=0.6)).status == "ok"  # fell by 40%: within 50%


def test_no_article_links_where_recent_runs_found_some_is_degraded():
    verdict = assess(stats(parknews__incremental__article_links=0, parknews__articles__new=0,
                           parknews__pages__article=0))
    assert verdict.degraded == ["no article links found on the list pages (usual: 40)"]


def test_article_pages_that_give_no_record_are_degraded():
    verdict = assess(stats(parknews__articles__new=0, parknews__pages__article=8))
    assert verdict.degraded == ["8 article pages fetched, none gave a record"]


def test_without_comparable_recent_runs_nothing_is_degraded():
    # the first run of a site, or recent runs that stored fewer than PARKNEWS_DEGRADED_MIN_NEW
    for history in ([], recent(articles_new=2)):
        verdict = assess(stats(parknews__articles__new=0, parknews__pages__article=8), history=history,
                         cover=dict(GOOD, date=0.0))
        assert (verdict.status, verdict.degraded) == ("ok", []), history


def test_a_signal_interrupts_and_a_private_site_is_a_usage_error():
    assert assess(stats(parknews__pages__failed=40), reason="shutdown").exit_code == ops.EXIT_INTERRUPTED
    refused = assess({"parknews/refused/private": 1, "downloader/request_count": 1}, reason="finished", history=[])
    assert (refused.status, refused.exit_code) == ("refused", ops.EXIT_USAGE)


def test_a_page_budget_stop_keeps_its_reason_and_exits_ok():
    verdict = assess(stats(), reason="max_pages")
    assert (verdict.status, verdict.exit_code) == ("max_pages", ops.EXIT_OK)


def test_anti_bot_answers_block_the_run_from_the_share_or_the_start_page():
    half = assess(stats(**{"parknews/blocked/http 412 script challenge": 25, "parknews/pages/failed": 25}))
    assert (half.status, half.exit_code, half.failure_rate) == ("blocked", ops.EXIT_BLOCKED, 0.0)
    assert half.blocked.startswith("25 of 50 pages were anti-bot answers (http 412 script challenge 25;")
    few = assess(stats(**{"parknews/blocked/captcha page": 24, "parknews/pages/failed": 24}))
    assert (few.status, few.blocked, few.failure_rate) == ("ok", None, 0.0)  # 48%: counted, not blocked
    start = assess(stats(**{"parknews/blocked/captcha page": 1, "parknews/blocked_start": "http://x/: captcha page"}))
    assert start.status == "blocked" and start.blocked.startswith("the start page is an anti-bot answer (http://x/")
    assert ops.worst_exit([ops.EXIT_DEGRADED, ops.EXIT_BLOCKED, ops.EXIT_FAILURES]) == ops.EXIT_BLOCKED
    assert ops.worst_exit([ops.EXIT_BLOCKED, ops.EXIT_USAGE]) == ops.EXIT_USAGE
