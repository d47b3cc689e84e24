"""MODEL_CARD.md written from what training measured, and its HTML body for a page."""

from __future__ import annotations

from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from riskmodel._markdown import markdown_text as md
from riskmodel._messages import DECISION_NOTE, PROVEN_REOFFENDING_NOTE
from riskmodel.fairness import model_reads, summary_markdown
from riskmodel.models._profiles import with_profiles

__all__ = ["model_card_html", "model_card_markdown"]

_METRICS = (
    ("auc", "AUC"),
    ("brier", "Brier score"),
    ("log_loss", "log loss"),
    ("ece", "expected calibration error (10 equal-frequency bins)"),
    ("calibration_slope", "calibration slope"),
    ("calibration_intercept", "calibration intercept"),
    ("observed_expected", "observed / expected"),
)


def _num(value: Any, digits: int = 3) -> str:
    return "—" if value is None else f"{float(value):.{digits}f}"


def _count(value: Any) -> str:
    """A count with thousands separators ("—" when unknown)."""
    return "—" if value is None else f"{int(value):,}"


def _pct(value: Any) -> str:
    return "—" if value is None else f"{100 * float(value):.1f}%"


def _names(names: list[str]) -> str:
    return ", ".join(md(name) for name in names) or "none"


def directions_lines(model: dict[str, Any]) -> list[str]:
    """The model card's sentence on the declared directions (none when nothing is declared).

    Examples
    --------
    >>> line = directions_lines({"directions": {"age": -1, "priors": 1}})[0]
    >>> line.split(" (")[0].removeprefix("- monotone by construction: the score ")
    'never falls as priors rises, and never rises as age rises'
    """
    directions = model.get("directions") or {}
    if not directions:
        return []
    up = [name for name, d in directions.items() if d > 0]
    down = [name for name, d in directions.items() if d < 0]
    parts = []
    if up:
        parts.append(f"never falls as {_names(up)} {'rises' if len(up) == 1 else 'rise'}")
    if down:
        parts.append(f"never rises as {_names(down)} {'rises' if len(down) == 1 else 'rise'}")
    return [
        f"- monotone by construction: the score {', and '.join(parts)} (every family honours "
        "this: sign-constrained weights on a monotone basis in the scorecard, monotonic "
        "constraints in gradient boosting, positive ensemble weights and calibration slope)"
    ]


def _reads_profiles(model: dict[str, Any]) -> bool:
    """Whether the model read offending profiles (a manifest written before directions
    existed says so only through its features)."""
    if "profiles" in model:
        return bool(model["profiles"])
    return with_profiles(list(model.get("numeric", [])))


def _warnings(manifest: dict[str, Any]) -> list[str]:
    warnings = manifest.get("warnings")
    if not isinstance(warnings, list) or not warnings:
        return []
    return [
        "## Warnings",
        "",
        *(f"- **Warning:** {md(w)}" for w in warnings),
        "",
    ]


def _reads(manifest: dict[str, Any]) -> str:
    """Which of the summary's group columns the model reads, from the manifest's features."""
    model = manifest.get("model", {})
    features = [*model.get("numeric", []), *model.get("categorical", [])]
    groups = list(manifest.get("group_summary", {}).get("by_group", {}))
    return model_reads(features, groups)


def _split_line(split: dict[str, Any]) -> str:
    """The card's line on the held-out split: the sentence training generated, or, for a
    bundle written before it had one (or a recalibrated one), the split's own fields."""
    if split.get("sentence"):
        return f"- {md(split['sentence'])}"
    return (
        f"- held-out test: {md(split.get('method'))}"
        + (f" (test from {md(split['test_from'])})" if split.get("test_from") else "")
        + f"; {_count(split.get('n_train'))} people to train, {_count(split.get('n_test'))} to "
        "test"
    )


def _shipped_lines(manifest: dict[str, Any]) -> list[str]:
    """Which rows the shipped model saw (absent from bundles written before refitting)."""
    shipped = manifest.get("shipped_model") or {}
    return [f"- {md(shipped['sentence'])}"] if shipped.get("sentence") else []


def model_card_markdown(manifest: dict[str, Any]) -> str:
    """The model card of a bundle, as Markdown, from its manifest (JSON-ready values).

    ``{model_id}``, ``{created_at}`` and ``{model_sha256}`` are left as placeholders that
    :func:`riskmodel.bundle.save_bundle` fills in. Every value from data or a config (the
    outcome, column names, group values, paths) is written as plain text: HTML and Markdown
    characters are escaped (:func:`riskmodel._markdown.markdown_text`).
    """
    data = manifest.get("training_data", {})
    metrics = manifest.get("metrics", {})
    model = manifest.get("model", {})
    split = manifest.get("split", {})
    outcome = md(manifest.get("outcome", "the outcome"))
    follow_up = manifest.get("follow_up_months")
    lines = [
        "# Model card: {model_id}",
        "",
        "Created {created_at}. `model.skops` sha256 `{model_sha256}`.",
        "",
        *_warnings(manifest),
        "## Intended use",
        "",
        f"Estimates the probability of **{outcome}**"
        + (f" (follow-up: {follow_up} months)" if follow_up else "")
        + " for one person, to inform decisions about the intensity of supervision, places on "
        f"programmes and offender-management cohorts. {DECISION_NOTE} It describes groups of "
        "people like this person, not what this person will do.",
        "",
        "## Model",
        "",
        f"- family: {md(model.get('family_fitted'))} (asked for {md(model.get('family'))}); "
        f"hyperparameters {md(model.get('params'))}"
        + (
            "; the logistic scorecard and gradient boosting averaged in log-odds with equal "
            "weights, so each reason is the average of the two models' reasons"
            if model.get("family_fitted") == "ensemble"
            else ""
        ),
        f"- calibration: {md(model.get('calibration'))}"
        + (
            f"; calibrated log-odds = {_num(model.get('calibration_slope'), 4)} × model "
            f"log-odds + {_num(model.get('calibration_intercept'), 4)} (exactly explainable)"
            if model.get("calibration_slope") is not None
            else " (piecewise constant: explanations are approximate)"
        ),
        *(
            [
                "- offending profiles: a latent class analysis of the offence counts by group, "
                "the latest need levels and the thirds of age and Copas rate, learnt from the "
                "training people alone, gives each "
                "person the probability of each of 8 profiles; the offence counts by group "
                "reach the model only through these, and reasons show them as one feature, "
                "`offending_profile`"
            ]
            if _reads_profiles(model)
            else [
                "- offending profiles: not used, since the latent class analysis's profile "
                "probabilities are not monotone in the offence counts, needs, age and Copas "
                "rate it reads; the offence counts by group reach the model directly"
            ]
            if with_profiles(list(model.get("numeric", [])))
            else []
        ),
        *directions_lines(model),
        f"- numeric features: {_names(model.get('numeric', []))}",
        f"- categorical features: {_names(model.get('categorical', []))}",
        f"- {md(_reads(manifest))}",
        "",
        "## Data",
        "",
        f"- source: {md(data.get('source'))} ({md(data.get('kind'))})",
        f"- people: {_count(data.get('n_rows'))} read, {_count(data.get('n_labelled'))} with a "
        f"known outcome, {_count(data.get('n_unlabelled'))} without (censored, excluded)",
        f"- base rate: {_pct(data.get('base_rate'))}",
        _split_line(split),
        *_shipped_lines(manifest),
        "",
        "## Held-out performance (95% bootstrap intervals)",
        "",
        "| measure | value | interval |",
        "|---|---|---|",
    ]
    for key, label in _METRICS:
        ci = metrics.get(f"{key}_ci") or [None, None]
        lines.append(f"| {label} | {_num(metrics.get(key))} | {_num(ci[0])} to {_num(ci[1])} |")
    lines += ["", "## Fairness summary (held-out)", ""]
    summary = manifest.get("group_summary", {})
    if summary.get("points"):
        lines += [md(_reads(manifest)), ""]
        if summary.get("note"):
            lines += [md(summary["note"]), ""]
        lines += [summary_markdown(summary), ""]
    elif summary.get("by_group"):  # a bundle written before the summary had operating points
        lines += [
            "This bundle's summary predates verdicts from intervals; run `riskmodel fairness` "
            "for them.",
            "",
        ]
    else:
        lines += ["No group columns were available.", ""]
    lines += [
        "When base rates differ between groups, calibration within groups and equal error "
        "rates cannot all hold at once: run `riskmodel fairness` at the threshold the "
        "allocation uses (`--threshold threshold.json`) for the full audit.",
        "",
        "## Limitations",
        "",
        "- Trained on one population and period; a model is usually miscalibrated elsewhere "
        "(recalibrate on local outcomes with `riskmodel recalibrate`).",
        f"- The outcome is {outcome}. {PROVEN_REOFFENDING_NOTE}",
        "- Static and historical factors dominate; scores change little with progress.",
        "- `model.skops` is read with an allowlist of types, so loading it runs no code from "
        "the file; its sha256 and the manifest's are checked before loading (integrity, not a "
        "signature).",
        "",
    ]
    return "\n".join(lines)


def _plain(inline: Token) -> str:
    """The text of an inline token, without its markup."""
    return "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline"))


def _accessible_tables(tokens: list[Token]) -> list[Token]:
    """Tables with a caption (the heading above them, and the last short line before them
    outside a list, such as a group column's name), header cells with ``scope="col"`` and the
    first cell of each body row a row header."""
    out: list[Token] = []
    heading, previous, in_body, first_cell, lists = "", "", False, False, 0
    for i, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
        if token.type == "inline" and i and tokens[i - 1].type == "heading_open":
            heading, previous = _plain(token), ""
        elif token.type == "inline" and i and tokens[i - 1].type == "paragraph_open":
            if not lists:  # a list's items (verdicts, say) never name a table
                previous = _plain(token)
        elif token.type == "table_open":
            caption = f"{heading}: {previous}" if previous and len(previous) <= 60 else heading
            out.append(token)
            html = f"<caption>{escape(caption or 'Table', quote=False)}</caption>\n"
            out.append(Token("html_block", "", 0, content=html))
            continue
        elif token.type == "th_open":
            token.attrSet("scope", "col")
        elif token.type in ("tbody_open", "tbody_close"):
            in_body = token.type == "tbody_open"
        elif token.type == "tr_open":
            first_cell = in_body
        elif token.type == "td_open" and first_cell:
            token.tag = "th"
            token.attrSet("scope", "row")
        elif token.type == "td_close" and first_cell:
            token.tag, first_cell = "th", False
        out.append(token)
    return out


def model_card_html(card: str) -> tuple[str, str]:
    """The title and the HTML body of a model card (the Markdown ``save_bundle`` wrote).

    The first level-one heading is the title (the page shows it as its heading); the rest is
    CommonMark with tables, raw HTML off (values were escaped as text when the card was
    written), and every table given a caption, column and row headers.

    Examples
    --------
    >>> card = "# Model card: m1\\n\\n## Data\\n\\n| a | b |\\n|---|---|\\n| x | 1,234 |\\n"
    >>> title, body = model_card_html(card)
    >>> title
    'Model card: m1'
    >>> print(body)
    <h2>Data</h2>
    <table>
    <caption>Data</caption>
    <thead>
    <tr>
    <th scope="col">a</th>
    <th scope="col">b</th>
    </tr>
    </thead>
    <tbody>
    <tr>
    <th scope="row">x</th>
    <td>1,234</td>
    </tr>
    </tbody>
    </table>
    <BLANKLINE>
    """
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = parser.parse(card)
    title = "Model card"
    if len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        title = _plain(tokens[1])
        tokens = tokens[3:]
    body = parser.renderer.render(_accessible_tables(tokens), parser.options, {})
    return title, body
