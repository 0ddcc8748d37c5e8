"""`parknews eval`: the parser scored field by field on a corpus (crawler/evaluate.py)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from crawler.cli.base import CliError


@click.command(name="eval")
@click.argument("corpus", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--show", "show_field", metavar="FIELD",
              help="List the pages that miss FIELD, expected and got (with --perturb: also those a rewrite made miss it).")
@click.option("--check", is_flag=True, help="Exit 1 when a score is below its target.")
@click.option("--split", "split", metavar="K/N",
              help="Score only fold K of N (pages grouped by host: all pages of a host share a fold).")
@click.option("--invert", is_flag=True, help="With --split: score every fold but K (the pages to tune on).")
@click.option("--sites", metavar="HOST,...", help="Score only pages of these hosts (and their subdomains).")
@click.option("--exclude-sites", metavar="HOST,...", help="Leave out pages of these hosts.")
@click.option("--perturb", is_flag=True,
              help="Also score each page with its template rewritten (class/id removed, <h1> as <div>, meta "
                   "line in a <table>, white space, meta items reordered): per kind, all together, and the "
                   "difference to the plain scores.")
def eval_cmd(corpus, as_json, show_field, check, split, invert, sites, exclude_sites, perturb):
    """Score the parser field by field on a corpus (DIR/pages/*, DIR/truth.jsonl).

    A page's host is its id after dev-NNN- (dev-016-163.com: 163.com). Tune on
    `--split K/N --invert`, check on `--split K/N`: the table says which pages it scored.

    \b
    Examples:
      parknews eval ../shared/corpus --show author
      parknews eval ../shared/corpus --split 1/4 --invert   # the 3/4 to tune on
      parknews eval ../shared/corpus --split 1/4            # the 1/4 held out
      parknews eval ../shared/corpus --sites 163.com,qq.com
      parknews eval ../shared/corpus --perturb --check   # also exit 1 when a score falls > 0.03
    """
    from crawler import evaluate

    folder = Path(corpus)
    if not (folder / "truth.jsonl").is_file() or not (folder / "pages").is_dir():
        raise CliError(f"{folder}: not a corpus (needs pages/ and truth.jsonl)")
    if show_field and show_field not in evaluate.FIELDS:
        raise CliError(f"--show {show_field!r}: not a field (one of {', '.join(evaluate.FIELDS)})")
    try:
        subset = evaluate.Subset.parse(split=split, invert=invert, sites=sites, exclude_sites=exclude_sites)
        if perturb:
            presult = evaluate.evaluate_perturbed(folder, subset=subset)
            result = presult.plain
        else:
            presult, result = None, evaluate.evaluate_corpus(folder, subset=subset)
    except evaluate.SubsetError as exc:
        raise CliError(str(exc)) from None
    except (ValueError, KeyError) as exc:
        raise CliError(f"{folder / 'truth.jsonl'}: bad truth record ({exc})") from None
    if as_json:
        data = result.to_json()
        if presult is not None:
            data["perturb"] = presult.to_json()
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(evaluate.format_table(result))
        if presult is not None:
            click.echo("")
            click.echo(evaluate.format_perturbed(presult))
    if show_field:
        click.echo(evaluate.format_misses(result, show_field))
        if presult is not None:
            click.echo(f"\n== {show_field} lost under perturbation")
            click.echo(evaluate.format_perturb_losses(presult, show_field))
    failed = result.failed_targets()
    if check and failed:
        raise CliError(f"below target: {', '.join(failed)}", 1)
    if check and presult is not None and presult.drifted():
        worst = ", ".join(f"{f} under {k} ({d:+.3f})" for k, f, d in presult.drifted())
        raise CliError(f"perturbed scores fell more than {evaluate.PERTURB_TOLERANCE}: {worst}", 1)


def register_commands(cli) -> None:
    cli.add_command(eval_cmd)
