"""Text of the detail screen's sections, from domain objects (pure: Content only, no widgets).

Every line says what it is in words (“missing”, “ERROR”), so nothing relies on colour.
The text is built literally (``Content()``/``assemble``/``styled`` never parse markup); the
detail screen passes every line through ``safe_text.clean`` before showing it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from textual.content import Content

from asin_tui.domain.marketplaces import marketplace_by_id
from asin_tui.domain.models import (
    Diagnosis,
    Enforcement,
    Evidence,
    InventorySummary,
    Issue,
    ListingRecord,
    Severity,
)
from asin_tui.domain.patches import current_value_text, price_band
from asin_tui.domain.rules.base import condition_words
from asin_tui.ui.presentation import SEVERITY_MARKS, STATE_LOOKS, date_text, price_text
from asin_tui.ui.safe_text import clean, visible
from asin_tui.ui.widgets.bullets import NBSP, HangingLines, nonbreaking

_SEVERITY_STYLE = {Severity.ERROR: "$text-error", Severity.WARNING: "$text-warning"}
_MUTED = "$text-muted"


Lines = list[Content]  # a line starting with two spaces belongs to the line above it
#: Under a finding's link: the detail's c copies it whole (DetailScreen.action_copy_link)
COPY_HINT = "(c copies the link whole)"
#: Under the wizard Policy step's link: c works there and from a checklist item, but in a
#: note c is a letter of the note (WizardScreen: Escape leaves a field)
NOTE_COPY_HINT = "(c copies the link whole; in a note, Escape first)"


def _field(label: str, value: str) -> Content:
    return Content.assemble((f"{label} ", _MUTED), value)


def _fact(label: str, value: str) -> Content:
    """A header fact as one unit: its spaces are NBSP (a line breaks between facts)."""
    return Content.assemble((f"{label}{NBSP}", _MUTED), nonbreaking(value))


def marketplace_text(marketplace_id: str) -> str:
    market = marketplace_by_id(marketplace_id)
    return f"{market.code} ({marketplace_id})" if market else marketplace_id


def _meaning_after(label: str, meaning: str) -> str:
    """The state's meaning after its label, the label's word not said twice: 'Inactive —
    not buyable', 'Suppressed by Amazon: not buyable' (it read 'Inactive — inactive: not
    buyable'); 'Removed — catalog item removed: …' as it was."""
    lead = label.lower()
    if meaning.startswith(f"{lead}: "):
        return f" — {meaning[len(lead) + 2 :]}"
    if meaning.startswith(f"{lead} "):
        return meaning[len(lead) :]
    return f" — {meaning}"


def header(record: ListingRecord) -> Content:
    look = STATE_LOOKS[record.state]
    # each fact one unit, its label and value never broken apart ("Condition Used –" /
    # "Good" at 80 columns): drawn by HangingLines, which keeps an NBSP (detail.py)
    facts = [
        _fact("SKU", visible(record.sku)),
        _fact("ASIN", record.asin or "—"),
        _fact("Type", record.product_type or "—"),
        _fact(
            "Condition", condition_words(record.condition_type) if record.condition_type else "—"
        ),
        _fact("Marketplace", marketplace_text(record.marketplace_id)),
    ]
    state = Content.assemble(
        ("State ", _MUTED),
        (look.text, "bold"),
        _meaning_after(look.label, look.meaning),
        # off sale since when; nothing for a live listing (it read "since —")
        *(
            (("  since ", _MUTED), date_text(record.inactive_since))
            if record.inactive_since
            else ()
        ),
    )
    parts = [
        Content.styled(visible(record.title) or "(no title)", "bold"),
        Content("  ").join(facts),
    ]
    lines = [*(clean(part, multiline=False) for part in parts), state]
    if record.status_lags and record.amazon_status is not None:
        said = ", ".join(record.amazon_status) or "neither buyable nor discoverable"
        lines.append(
            clean(
                Content.assemble(
                    ("Amazon's status ", _MUTED),
                    said,
                    (
                        " — it lags the enforcement in force; the state above is what applies",
                        _MUTED,
                    ),
                ),
                multiline=False,
            )
        )
    return Content("\n").join(lines)


def findings(diagnosis: Diagnosis, seller_central: str | None = None) -> Lines:
    """The findings, each with its detail and fix; a web link on a line of its own, and
    under a link to ``seller_central`` (the marketplace's, e.g. an approval request's) that
    the detail's c copies it (copied_link)."""
    if not diagnosis.findings:
        return [Content("Nothing to fix: the listing is buyable and discoverable.")]
    ordered = sorted(diagnosis.findings, key=lambda f: f.severity.rank)
    lines: list[Content] = []
    for f in ordered:
        lines.append(
            Content.assemble(
                (SEVERITY_MARKS[f.severity], f"bold {_SEVERITY_STYLE.get(f.severity, '')}"),
                "  ",
                (f.title, "bold"),
                (f"  [{f.code}]", _MUTED),
            )
        )
        detail, links = links_apart(visible(f.detail, multiline=True))
        lines.append(Content(f"  {detail}"))
        lines.extend(Content(f"  {link}") for link in links)
        if any(_on(link, seller_central) for link in links):
            lines.append(Content.styled(f"  {COPY_HINT}", _MUTED))
        # the fix names the link the detail gave: said once, above
        fix, more = links_apart(_said_above(visible(f.fix, multiline=True), links))
        lines.append(Content.assemble(("  Fix: ", "bold"), fix))
        lines.extend(Content(f"  {link}") for link in more)
    return lines


_LINK = re.compile(r"https?://[^\s]+")
_AFTER_LINK = ".,;)"  # a sentence's punctuation after a link, not part of it
#: The most links of one text taken out to lines of their own; the others stay in its
#: sentence. Amazon's message is any length: one with 20,000 links took 7 s to take apart
#: (a replace over the whole text per link) and made 20,000 line widgets
LINKS_APART = 10


def _link_of(match: re.Match[str]) -> tuple[str, str]:
    """A found link (_LINK) and the sentence's punctuation after it (_AFTER_LINK)."""
    found = match.group()
    link = found.rstrip(_AFTER_LINK)
    return link, found[len(link) :]


def links_apart(text: str) -> tuple[str, list[str]]:
    """``text`` with each web link taken out to a line of its own (the links in order, the
    first LINKS_APART): a link inside a sentence wrapped mid-link at 80 columns
    ("…approve?a" / "sin=B0…"), and the detail draws a link's line whole or cut with "…",
    never wrapped (is_link_line). One pass over the text, however many links."""
    links: list[str] = []

    def take(match: re.Match[str]) -> str:
        link, after = _link_of(match)
        if len(links) >= LINKS_APART or not link.partition("://")[2]:
            return match.group()
        links.append(link)
        return after  # the punctuation after it stays in the sentence

    rest = _LINK.sub(take, text)
    if not links:
        return text, []
    return " ".join(rest.split()).replace(" .", "."), links


def case_lines(text: str, links: Sequence[tuple[str, str]], seller_central: str | None) -> Lines:
    """A wizard Policy case's evidence drawn as the detail draws a finding: each web link on
    a line of its own (whole, or cut with "…"; never wrapped mid-link), then the case's
    other links ("title: url") not in the text, and NOTE_COPY_HINT under a link the copy
    key copies (a Seller Central one, copied_link's rule). Data: terminal-safe."""
    said, found = links_apart(visible(text, multiline=True))
    lines = [Content(said)]
    lines.extend(Content(f"  {link}") for link in found)
    more = [(visible(title), visible(url)) for title, url in links if url not in text]
    lines.extend(Content(f"  {title}: {url}") for title, url in more)
    if any(_on(link, seller_central) for link in [*found, *(url for _, url in more)]):
        lines.append(Content.styled(f"  {NOTE_COPY_HINT}", _MUTED))
    return lines


def _said_above(fix: str, links: list[str]) -> str:
    """``fix`` with each of ``links`` (the detail's, on lines above it) named "the link
    above" (a whole link only: not one that merely starts the same)."""
    if not links:
        return fix
    said = set(links)

    def name(match: re.Match[str]) -> str:
        link, after = _link_of(match)
        return "the link above" + after if link in said else match.group()

    return _LINK.sub(name, fix)


#: A line that is a web link, alone or after a short label ("Request approval: https://…")
_LINK_LINE = re.compile(r"(?:[^:\s][^:]{0,40}: )?https?://[^\s]+")


def is_link_line(text: str) -> bool:
    """Whether a line of these sections is a web link, alone (links_apart) or after a short
    label: the detail draws it on one line, whole or cut with "…" (the copy key copies a
    finding's link whole), never wrapped mid-link."""
    return bool(_LINK_LINE.fullmatch(text.strip()))


def copied_link(lines: Lines, seller_central: str | None) -> str | None:
    """The first link of ``lines`` (findings) to ``seller_central`` (an approval request's):
    what the detail's c copies. A link elsewhere is shown, never put on the clipboard."""
    for line in lines:
        if is_link_line(line.plain):
            found = _LINK.search(line.plain)
            if found and _on(found.group(), seller_central):
                return found.group()
    return None


#: What a copied link may hold: RFC 3986's unreserved characters and the delimiters Amazon's
#: links use. A link with any other — a quote, ``$``, a backtick, brackets, a space, an
#: escape shown as text (``\x1b``), a non-ASCII lookalike — is shown, never copied: a
#: pasted link does only what it reads as
_COPYABLE = re.compile(r"[A-Za-z0-9\-._~/?#&=%+,;:@]+")
#: The longest link copied (browsers and Amazon's own links stay far under it)
LINK_MAX = 2048


def _on(link: str, site: str | None) -> bool:
    """Whether ``link`` is one to copy: on ``site`` (Seller Central's host exactly: a link
    whose host only starts with it, or has a user name in front, is not), of the characters
    a link needs (_COPYABLE), at most LINK_MAX long."""
    return (
        site is not None
        and link.startswith(f"{site}/")
        and len(link) <= LINK_MAX
        and _COPYABLE.fullmatch(link) is not None
    )


def line_runs(lines: Lines) -> list[tuple[str, Content]]:
    """Consecutive lines drawn alike, each run as one Content of terminal-safe lines with the
    classes that draw it (the detail's sections, the bulk approval links): "indented link"
    (a web link after two spaces: never wrapped), "indented" (two spaces: wrapped under its
    indent, the spaces dropped), "" (as it is). A run of lines in one Static wraps each line
    as a Static of its own would."""
    runs: list[tuple[str, list[Content]]] = []
    for line in lines:
        if line.plain.startswith("  ") and is_link_line(line.plain):
            classes, shown = "indented link", clean(line[2:])  # one line: whole, or cut with …
        elif line.plain.startswith("  "):
            classes, shown = "indented", clean(line[2:])
        else:
            classes, shown = "", clean(line)
        if runs and runs[-1][0] == classes:
            runs[-1][1].append(shown)
        else:
            runs.append((classes, [shown]))
    return [(classes, Content("\n").join(run)) for classes, run in runs]


def issues(evidence: Evidence) -> Lines:
    found = evidence.listing.issues_here()
    if not found:
        return [Content("Amazon reports no issues for this listing in this marketplace.")]
    return [line for issue in found for line in _issue(issue)]


def _issue(issue: Issue) -> Lines:
    lines = [
        Content.assemble(
            (f"{issue.code}  {issue.severity}", "bold"),
            (f"  categories: {', '.join(issue.categories) or 'none'}", _MUTED),
        ),
        Content(f"  {visible(issue.message, multiline=True)}"),  # BEL & co shown, not dropped
    ]
    if issue.enforcement and issue.enforcement.actions:
        lines.append(Content(f"  Enforcement: {_enforcement(issue.enforcement)}"))
    if issue.attribute_names:
        lines.append(Content(f"  Attributes: {', '.join(issue.attribute_names)}"))
    return lines


def _enforcement(enforcement: Enforcement) -> str:
    text = ", ".join(enforcement.actions)
    if enforcement.exemption_status:
        text += f"; exemption {enforcement.exemption_status}"
    if enforcement.exemption_expiry:
        text += f" until {date_text(enforcement.exemption_expiry)}"
    return text


def stock(evidence: Evidence) -> Lines:
    listing = evidence.listing
    lines = [_field("Channel", listing.fulfillment_channel or "none (no fulfillment availability)")]
    if not listing.is_fba:
        quantity = listing.mfn_quantity
        lines.append(_field("MFN quantity", "—" if quantity is None else str(quantity)))
    gap = _gap(evidence, "inventory")
    if gap is not None:
        lines.append(gap)
    if evidence.inventory is not None:
        lines.extend(_fba(evidence.inventory))
    elif listing.is_fba and gap is None:
        lines.append(Content("FBA inventory was not fetched for this SKU."))
    return lines


def _gap(evidence: Evidence, section: str) -> Content | None:
    """What a failed evidence call left: the date of the answer shown, or nothing shown."""
    gap = evidence.gap(section)
    if gap is None:
        return None
    if gap.as_of is None:
        text = f"Not checked: {gap.call} failed in the last sync ({gap.error})."
    else:
        text = (
            f"As of {gap.as_of:%Y-%m-%d %H:%M} UTC: {gap.call} failed in the last sync "
            f"({gap.error}); this is its last good answer."
        )
    return Content.styled(visible(text), "$text-warning")


def _fba(inv: InventorySummary) -> list[Content]:
    unfulfillable = ", ".join(f"{k} {v}" for k, v in inv.unfulfillable_breakdown.items() if v)
    return [
        _field("FBA fulfillable", str(inv.fulfillable)),
        _field(
            "Inbound",
            f"working {inv.inbound_working} · shipped {inv.inbound_shipped}"
            f" · receiving {inv.inbound_receiving}",
        ),
        _field(
            "Reserved",
            f"{inv.reserved_total} (customer orders {inv.reserved_pending_customer_order}"
            f" · transshipment {inv.reserved_pending_transshipment}"
            f" · FC processing {inv.reserved_fc_processing})",
        ),
        _field(
            "Unfulfillable",
            f"{inv.unfulfillable_total}" + (f" ({unfulfillable})" if unfulfillable else ""),
        ),
        _field("Researching", str(inv.researching_total)),
    ]


def _fetched(evidence: Evidence, section: str) -> Content | None:
    """How old the answer is (a sync may use an earlier sync's: fresh enough, not a gap)."""
    moment = evidence.fetched.get(section)
    if moment is None:
        return None
    return Content.styled(
        f"As of {moment:%Y-%m-%d %H:%M} UTC (restrictions are asked again at least once a day).",
        _MUTED,
    )


def restrictions(evidence: Evidence) -> Lines:
    gap = _gap(evidence, "restrictions")
    lines: list[Content] = [gap] if gap is not None else []
    kept = _fetched(evidence, "restrictions") if gap is None else None
    for restriction in evidence.restrictions:
        condition = (
            condition_words(restriction.condition_type)
            if restriction.condition_type
            else "any condition"
        )
        for reason in restriction.reasons:
            code = reason.reason_code or "RESTRICTED"
            message = visible(reason.message, multiline=True)
            lines.append(Content.assemble((f"{code} ({condition})", "bold"), f"  {message}"))
            # "Request approval: URL": a link line (is_link_line), never wrapped mid-link
            lines.extend(Content(visible(f"  {link.title}: {link.url}")) for link in reason.links)
    lines = lines or [Content("No restrictions for this ASIN and condition.")]
    return [kept, *lines] if kept is not None else lines


#: A Listing fields line's mark: its long value's wrapped lines go on under its text
#: (HangingLines), as a list item's do, not at the left edge (drawn_run)
FIELD_ITEM = re.compile(r"[✔✖] (?:present|missing)  ")


def drawn_run(classes: str, content: Content) -> Content | HangingLines:
    """A run of line_runs as the detail draws it: a run holding a Listing fields line as
    HangingLines (each field's value wrapped under its name), any other as it is."""
    lines = content.split("\n")
    if "link" in classes.split() or not any(FIELD_ITEM.match(ln.plain) for ln in lines):
        return content
    return HangingLines(lines, items=FIELD_ITEM)


def header_lines(record: ListingRecord) -> HangingLines:
    """The detail's header drawn: each fact kept whole (its NBSPs: see header)."""
    return HangingLines(header(record).split("\n"))


def listing_fields(evidence: Evidence) -> Lines:
    requirements = evidence.requirements
    if requirements is None:
        return [Content("The product type definition was not fetched for this listing.")]
    lines: list[Content] = [
        Content.styled(
            f"Required by {requirements.display_name or requirements.product_type}:", _MUTED
        )
    ]
    for name in requirements.required:
        spec = requirements.attributes[name]
        value = current_value_text(evidence.listing, spec)
        present = bool(value) or bool(evidence.listing.attributes.get(name))
        mark = ("✔ present", "$text-success") if present else ("✖ missing", "bold $text-error")
        shown = visible(value, multiline=True) or ("(set)" if present else "")
        lines.append(
            Content.assemble(
                mark, f"  {name}", (f" ({spec.title})" if spec.title else "", _MUTED), f"  {shown}"
            )
        )
    return lines


def price(evidence: Evidence) -> Lines:
    band = price_band(evidence.listing)
    lines = [
        _field("Price", price_text(band.price, band.currency, with_currency=True)),
        _field("Allowed band", band.band_text),
    ]
    if band.conflict:
        lines.append(Content.styled(f"✖ {band.conflict}", "bold $text-error"))
    return lines


SECTIONS = (
    ("SP-API issues", issues),
    ("Stock", stock),
    ("Restrictions", restrictions),
    ("Listing fields", listing_fields),
    ("Price", price),
)
