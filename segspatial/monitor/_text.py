"""The monitor's text catalogue (one per language) and locale formatting (Babel).

Every visible word of the monitor's pages and maps comes from :data:`TEXT`; a third
language is one more catalogue with the same keys (a test checks the keys match).
Numbers are formatted by Babel for the locale (decimal comma and thousands dot in
Dutch). Catalogue strings are plain text with ``{name}`` fields, filled with
:meth:`str.format` (values are data, never format or template source) and escaped by
the page templates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

LOCALES = {"en": "en_GB", "nl": "nl_NL"}

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Women in technical higher professional education",
        "title_region": "Women in technical education: {name}",
        "selection": "Programmes: {selection}",
        "source": "Source: DUO enrolments on 1 October, {years} ({file}).",
        "back": "Back to the national page",
        "level_national": "the Netherlands",
        "level_labour_market_region": "labour-market regions",
        "level_province": "provinces",
        "level_municipality": "municipalities",
        "level_one_labour_market_region": "labour-market region",
        "level_one_province": "province",
        "level_one_municipality": "municipality",
        "share_women": "share of women",
        "share_range": "range over the censored cells",
        "target": "target",
        "gap": "more women needed",
        "gap_none": "target reached",
        "change": "change on the year before",
        "pace": "at the current pace",
        "status_reached": "target reached",
        "status_on_pace": "target reached in {year}",
        "status_not_at_this_pace": "not at this pace",
        "status_unknown": "pace unknown (one year)",
        "status_hidden": "not shown",
        "women": "women",
        "men": "men",
        "unknown_sex": "sex unknown",
        "year": "year",
        "name": "name",
        "code": "code",
        "facts": "In {year}",
        "chart_title": "Share of women, {first}-{last}",
        "chart_band": "range over censored cells",
        "chart_target": "target {target}",
        "maps": "Map: share of women against the target, {year}",
        "map_legend": "share of women (target {target})",
        "map_no_data": "none of the programmes given here",
        "map_hidden": "not shown (disclosure control, fewer than {n} or giving such a "
        "count away)",
        "withheld": "not shown",
        "map_above": "above {value}",
        "regions": "All {level}",
        "municipalities": "Municipalities where the programmes are given",
        "programmes": "Programmes with the highest share of women, {year}",
        "programmes_note": "Programmes with at least {n} enrolments (women and men "
        "together) in the region.",
        "programme": "programme",
        "segregation": "Gender segregation across programmes",
        "segregation_note": "D (dissimilarity) is the share of women (or men) who would "
        "have to change programme for every programme to have the same mix; H (Theil) is "
        "the information index; D* compares D with its expectation E[D] under random "
        "allocation. Computed over {scope}; ranges cover every possible count of the "
        "censored cells ({method}; an exact range is the lowest and highest value, a proven "
        "bound may be wider).",
        "scope_all": "all hbo programmes",
        "scope_selection": "the selected programmes",
        "dissimilarity": "D",
        "theil_h": "H",
        "dissimilarity_expected": "E[D]",
        "dissimilarity_standardised": "D*",
        "method": "Method and data",
        "method_share": "The share of women is women / (women + men); enrolments of unknown "
        "sex are counted separately. DUO publishes counts of 1-4 as \"<5\"; each such cell "
        "is the interval {interval}. Point values count it as {rule}; the range gives the "
        "lowest and highest value over every possible count. Without the censored cells "
        "(DUO's own totals) the national share in {year} is {uncensored}.",
        "method_gap": "\"More women needed\" is the number of extra women that would bring "
        "the share to the target with the number of men unchanged. The pace is the "
        "least-squares trend of the share over the years up to the latest.",
        "method_regions": "Municipalities are assigned to regions by the largest overlap "
        "of their polygons.",
        "method_disclosure": "Disclosure control: no count below {n} is shown; shares of "
        "regions with fewer than {n} women or men are not shown.",
        "exclusions": "Left out",
        "exclusions_none": "Nothing was left out.",
        "file_hash": "Input file SHA-256: {sha}",
        "generated": "Made with segspatial {version}.",
        "no_data": "–",
        "hidden": "< {n}",
        "national_share": "the Netherlands",
        "chart_national": "the Netherlands (grey, dotted)",
        "vs_national": "against the Netherlands",
        "points_vs_national": "{diff} against the national {share}",
        "empty_region": "None of the selected programmes is given in this region in {years}: "
        "DUO counts enrolments where a programme is given, so this region has no share of "
        "its own. "
        "The national figures are on the national page.",
        "method_flags": "Cells marked in a suppression flag column ({columns}) are censored "
        "alike: the interval {interval}, not the number shown.",
        "bounds_index": "{index}: {method}",
        "bounds_exact": "exact",
        "bounds_monotone": "exact",
        "bounds_bound": "proven bound",
        "bounds_none": "no censored cells",
        "reasons": "reason",
        "people": "people",
        "reason_not_in_comparison": "enrolments of unknown sex (in neither group)",
        "reason_small_unit": "programmes below the minimum enrolments",
        "reason_small_area": "regions below the minimum mean enrolments a year",
        "reason_too_few_units": "fewer than 2 programmes: D and H undefined",
        "reason_group_absent": "no women or no men: D and H undefined",
        "reason_municipality_not_in_mapping": "municipalities missing from the region "
        "mapping",
        "reason_no_region": "municipalities that overlap no region of the level",
        "reason_bad_count": "counts that are neither a whole number nor a censored token",
        "reason_missing_count": "empty counts",
        "reason_bad_municipality": "records with a bad municipality number",
        "reason_bad_sex": "records with a bad sex code",
        "reason_missing_programme": "records without a programme code",
        "reason_duplicate_record": "records repeating an earlier record",
    },
    "nl": {
        "title": "Vrouwen in het technisch hoger beroepsonderwijs",
        "title_region": "Vrouwen in technisch onderwijs: {name}",
        "selection": "Opleidingen: {selection}",
        "source": "Bron: DUO, ingeschrevenen op 1 oktober, {years} ({file}).",
        "back": "Terug naar de landelijke pagina",
        "level_national": "Nederland",
        "level_labour_market_region": "arbeidsmarktregio's",
        "level_province": "provincies",
        "level_municipality": "gemeenten",
        "level_one_labour_market_region": "arbeidsmarktregio",
        "level_one_province": "provincie",
        "level_one_municipality": "gemeente",
        "share_women": "aandeel vrouwen",
        "share_range": "bandbreedte door afgeschermde cellen",
        "target": "streefwaarde",
        "gap": "vrouwen meer nodig",
        "gap_none": "streefwaarde gehaald",
        "change": "verandering op het jaar ervoor",
        "pace": "in het huidige tempo",
        "status_reached": "streefwaarde gehaald",
        "status_on_pace": "streefwaarde gehaald in {year}",
        "status_not_at_this_pace": "niet in dit tempo",
        "status_unknown": "tempo onbekend (één jaar)",
        "status_hidden": "niet getoond",
        "women": "vrouwen",
        "men": "mannen",
        "unknown_sex": "geslacht onbekend",
        "year": "jaar",
        "name": "naam",
        "code": "code",
        "facts": "In {year}",
        "chart_title": "Aandeel vrouwen, {first}-{last}",
        "chart_band": "bandbreedte afgeschermde cellen",
        "chart_target": "streefwaarde {target}",
        "maps": "Kaart: aandeel vrouwen ten opzichte van de streefwaarde, {year}",
        "map_legend": "aandeel vrouwen (streefwaarde {target})",
        "map_no_data": "geen van de opleidingen hier gegeven",
        "map_hidden": "niet getoond (onthullingscontrole: minder dan {n} of zo'n aantal "
        "verradend)",
        "withheld": "niet getoond",
        "map_above": "boven {value}",
        "regions": "Alle {level}",
        "municipalities": "Gemeenten waar de opleidingen worden gegeven",
        "programmes": "Opleidingen met het hoogste aandeel vrouwen, {year}",
        "programmes_note": "Opleidingen met ten minste {n} inschrijvingen (vrouwen en "
        "mannen samen) in de regio.",
        "programme": "opleiding",
        "segregation": "Segregatie naar geslacht over opleidingen",
        "segregation_note": "D (dissimilariteit) is het deel van de vrouwen (of mannen) dat "
        "van opleiding zou moeten wisselen om elke opleiding dezelfde verhouding te geven; "
        "H (Theil) is de informatie-index; D* vergelijkt D met de verwachting E[D] bij "
        "toevallige verdeling. Berekend over {scope}; de bandbreedte dekt elk mogelijk "
        "aantal in de afgeschermde cellen ({method}; een exacte bandbreedte is de laagste en "
        "hoogste waarde, een bewezen grens kan ruimer zijn).",
        "scope_all": "alle hbo-opleidingen",
        "scope_selection": "de gekozen opleidingen",
        "dissimilarity": "D",
        "theil_h": "H",
        "dissimilarity_expected": "E[D]",
        "dissimilarity_standardised": "D*",
        "method": "Methode en gegevens",
        "method_share": "Het aandeel vrouwen is vrouwen / (vrouwen + mannen); inschrijvingen "
        "met onbekend geslacht worden apart geteld. DUO publiceert aantallen van 1-4 als "
        "\"<5\"; zo'n cel is het interval {interval}. Puntwaarden tellen haar als {rule}; de "
        "bandbreedte geeft de laagste en hoogste waarde over elk mogelijk aantal. Zonder de "
        "afgeschermde cellen (DUO's eigen totalen) is het landelijke aandeel in {year} "
        "{uncensored}.",
        "method_gap": "\"Vrouwen meer nodig\" is het aantal extra vrouwen waarmee het aandeel "
        "de streefwaarde haalt bij een gelijk aantal mannen. Het tempo is de trend (kleinste "
        "kwadraten) van het aandeel over de jaren tot en met het laatste.",
        "method_regions": "Gemeenten zijn ingedeeld bij de regio waarmee hun vlak het meest "
        "overlapt.",
        "method_disclosure": "Onthullingscontrole: geen aantal onder {n} wordt getoond; "
        "aandelen van regio's met minder dan {n} vrouwen of mannen worden niet getoond.",
        "exclusions": "Weggelaten",
        "exclusions_none": "Er is niets weggelaten.",
        "file_hash": "SHA-256 van het invoerbestand: {sha}",
        "generated": "Gemaakt met segspatial {version}.",
        "no_data": "–",
        "hidden": "< {n}",
        "national_share": "Nederland",
        "chart_national": "Nederland (grijs, gestippeld)",
        "vs_national": "ten opzichte van Nederland",
        "points_vs_national": "{diff} ten opzichte van het landelijke {share}",
        "empty_region": "In deze regio wordt in {years} geen van de gekozen opleidingen "
        "gegeven: DUO telt inschrijvingen waar een opleiding wordt gegeven, dus deze regio "
        "heeft geen eigen aandeel. De landelijke cijfers staan op de landelijke pagina.",
        "method_flags": "Cellen die in een afschermingskolom zijn gemarkeerd ({columns}) zijn "
        "op dezelfde manier afgeschermd: het interval {interval}, niet het getoonde getal.",
        "bounds_index": "{index}: {method}",
        "bounds_exact": "exact",
        "bounds_monotone": "exact",
        "bounds_bound": "bewezen grens",
        "bounds_none": "geen afgeschermde cellen",
        "reasons": "reden",
        "people": "personen",
        "reason_not_in_comparison": "inschrijvingen met onbekend geslacht (in geen van "
        "beide groepen)",
        "reason_small_unit": "opleidingen onder het minimum aantal inschrijvingen",
        "reason_small_area": "regio's onder het minimum gemiddeld aantal inschrijvingen per "
        "jaar",
        "reason_too_few_units": "minder dan 2 opleidingen: D en H niet gedefinieerd",
        "reason_group_absent": "geen vrouwen of geen mannen: D en H niet gedefinieerd",
        "reason_municipality_not_in_mapping": "gemeenten die niet in de regio-indeling "
        "staan",
        "reason_no_region": "gemeenten die geen regio van het niveau overlappen",
        "reason_bad_count": "aantallen die geen geheel getal en geen afgeschermde waarde "
        "zijn",
        "reason_missing_count": "lege aantallen",
        "reason_bad_municipality": "records met een onjuist gemeentenummer",
        "reason_bad_sex": "records met een onjuiste geslachtscode",
        "reason_missing_programme": "records zonder opleidingscode",
        "reason_duplicate_record": "records die een eerder record herhalen",
    },
}

#: How the point rules read in the method text.
RULES = {
    "en": {"midpoint": "the middle, rounded down", "low": "the lowest count",
           "high": "the highest count", "exclude": "0 (left out)"},
    "nl": {"midpoint": "het midden, naar beneden afgerond", "low": "het laagste aantal",
           "high": "het hoogste aantal", "exclude": "0 (weggelaten)"},
}


@dataclass(frozen=True)
class Formatter:
    """Text and numbers in one language (Babel locale formatting)."""

    lang: str
    min_cell: int | None = None

    def __post_init__(self) -> None:
        if self.lang not in TEXT:
            raise ValueError(f"lang must be one of {', '.join(TEXT)}, got {self.lang!r}")

    @property
    def locale(self) -> str:
        return LOCALES[self.lang]

    def t(self, key: str, **values: Any) -> str:
        """The catalogue text, fields filled with the values (as data)."""
        return TEXT[self.lang][key].format(**values)

    def pct(self, value: Any, digits: int = 1) -> str:
        """A share as a percentage: ``25.6%`` / ``25,6%``; a dash for NaN."""
        from babel.numbers import format_percent

        if value is None or not math.isfinite(float(value)):
            return self.t("no_data")
        fmt = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
        return format_percent(float(value), format=fmt, locale=self.locale)

    def points(self, value: Any) -> str:
        """A change of a share in percentage points, signed."""
        from babel.numbers import format_decimal

        if value is None or not math.isfinite(float(value)):
            return self.t("no_data")
        text = format_decimal(100 * float(value), format="+#,##0.0;−#,##0.0",
                              locale=self.locale)
        return f"{text} {'pp' if self.lang == 'en' else 'procentpunt'}"

    def num(self, value: Any, digits: int = 3) -> str:
        from babel.numbers import format_decimal

        if value is None or not math.isfinite(float(value)):
            return self.t("no_data")
        return format_decimal(float(value), format="0." + "0" * digits, locale=self.locale)

    def count(self, value: Any, hidden: bool = False) -> str:
        """A count of people; ``< N`` below the disclosure threshold, "not shown" when
        withheld (a count withheld so that no other count can be derived from it is not
        below N: saying ``< N`` of it would be false)."""
        from babel.numbers import format_decimal

        if hidden:
            return self.t("withheld")
        if (self.min_cell is not None and value is not None
                and math.isfinite(float(value)) and float(value) < self.min_cell):
            return self.t("hidden", n=self.min_cell)
        if value is None or not math.isfinite(float(value)):
            return self.t("no_data")
        return format_decimal(round(float(value)), format="#,##0", locale=self.locale)

    def share_range(self, low: Any, high: Any) -> str:
        """The range of a share over the censored cells; one dash when withheld."""
        if not all(v is not None and math.isfinite(float(v)) for v in (low, high)):
            return self.t("no_data")
        return f"{self.pct(low)}–{self.pct(high)}"

    def gap(self, value: Any, low: Any, high: Any) -> str:
        """"N more women needed" with its range; "target reached" at 0; a dash when
        withheld (the same words on pages and maps)."""
        if value is None or not math.isfinite(float(value)):
            return self.t("no_data")
        if float(value) == 0:
            return self.t("gap_none")
        return f"{self.count(value)} ({self.count(low)}–{self.count(high)})"
