"""Labels and sentences of the HTML reports, in English and Dutch (private).

Every text is a :class:`string.Template` pattern (``$name`` placeholders); values are
escaped by the caller before they are substituted. Keep the two languages in step:
a test checks that both have the same keys.

The ``fig_*`` keys, :data:`INDEX_TITLES`, :data:`GROUP_NOUNS` and :data:`KERNEL_LABELS`
are plain text for static figures and map legends (no markup); they are filled and
formatted by :class:`segspatial._format.Formatter`.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["COMPARISON_LABELS", "GROUP_LABELS", "GROUP_NOUNS", "INDEX_LABELS", "INDEX_TITLES",
           "KERNEL_LABELS", "LANGUAGES", "REASON_TEXT", "TEXT"]

LANGUAGES = ("en", "nl")

_EN = {
    "lang_name": "English",
    "index_title": "School segregation per municipality",
    "index_intro": "One page per municipality: how unevenly pupils of two groups are spread "
    "over its schools, how that changed over the years, and where it happens. Click a "
    "municipality on the map or in the table to open its page.",
    "index_map_heading": "Map: $index, $comparison$when",
    "index_map_note": "Colours on the report's fixed scale: dark green (0, every school "
    "mirrors the municipality) to dark red (0.8). Grey: no value (too small, or left out).",
    "index_table_heading": "All municipalities",
    "index_table_note": "Click a column heading to sort. Values are for the latest year; "
    "D is the lead index.",
    "index_left_out_heading": "Left out of the whole report",
    "back_to_index": "All municipalities",
    "static_map": "Map for printing",
    "interactive_map": "Interactive map (zoom, hover for details)",
    "map_fallback": "The interactive map needs JavaScript; the static map shows the same "
    "schools.",
    "map_fallback_index": "The interactive map needs JavaScript; the static map shows the "
    "same values.",
    "municipality": "Municipality",
    "code": "Code",
    "name": "Name",
    "years_covered": "Years covered",
    "no_years": "one period (no year column)",
    "pupils": "Pupils",
    "schools": "Schools",
    "group_shares": "Group shares",
    "share_of": "$share $group",
    "latest_year": "latest year: $year",
    "in_short": "In short",
    "lead_sentence": "The dissimilarity index D between $a and $b pupils$when is "
    "$value: <strong>$band segregation</strong> (Massey &amp; Denton bands: below 0.3 low, "
    "0.3 to 0.6 moderate, above 0.6 high).",
    "lead_move": "For every school to have the same mix of the two groups as the "
    "municipality as a whole, about $pct of the $a pupils would have to change school.",
    "lead_random": "Even if pupils were dealt to the schools at random, D would be about "
    "$expected (small schools and groups give some unevenness by chance); the "
    "standardised D*, which measures the distance from random allocation, is $dstar.",
    "lead_undefined": "The dissimilarity index between $a and $b pupils$when could not be "
    "computed: $reason.",
    "band_low": "low",
    "band_moderate": "moderate",
    "band_high": "high",
    "latest_heading": "Segregation$when",
    "latest_note": "Four indices per comparison. D is the lead index; D* compares D with "
    "random allocation of pupils to schools (0 = as random, 1 = complete segregation, "
    "negative = more even than random); H and V are two other views of unevenness. "
    "Where they disagree, read D with care.",
    "comparison": "Comparison",
    "band": "Band",
    "pupils_used": "Pupils in the two groups",
    "no_value": "no value",
    "trend_heading": "Trends over the years",
    "trend_note": "D (solid line) and D* (dashed) per year, on the report's fixed scale "
    "0 to 0.8. Background: low (green), moderate (yellow), high (red).",
    "trend_one_year": "The data cover a single year: there is no trend to show.",
    "trend_no_values": "No year has a value for these indices (see below for why): there "
    "is no trend to show.",
    "chart_outside": "○ value outside $low–$high, drawn at the edge",
    "map_heading": "Where the schools are",
    "map_note": "Each circle is a school, its area proportional to its pupils. Colour: "
    "share of $a pupils, white = the same as the municipality ($centre), red = more, "
    "blue = fewer. Comparison: $comparison$when.",
    "map_more": "more $a pupils",
    "map_fewer": "fewer $a pupils",
    "map_same": "as the municipality",
    "map_suppressed": "grey: share not shown, a group has fewer than $n pupils",
    "spatial_heading": "Between neighbouring schools, or between parts of the municipality?",
    "spatial_note": "The indices above ignore where schools are: a checkerboard of "
    "segregated schools side by side scores the same as a town split into two halves. "
    "The spatial versions compare each school's surroundings instead of the school "
    "itself: each school's pupils are spread over the schools around it, itself "
    "included, weighted by distance (a $kernel kernel with the bandwidth shown), so "
    "every pupil counts once and a spatial value is never above the ordinary one. If "
    "segregation stays high as the surroundings widen, it is between parts of the "
    "municipality; if it falls quickly, it is between neighbouring schools.",
    "spatial_table_comparison": "Comparison",
    "aspatial": "school itself",
    "bandwidth_m": "$m m",
    "between_share": "Between districts (share of H)",
    "morans_i": "Moran's I",
    "profile_heading": "Multi-scale profile",
    "profile_note": "Spatial D (solid) and spatial H (dashed) as each school's "
    "surroundings widen, for $comparison. At 0 m they equal the ordinary D and H; they "
    "are never above them.",
    "interpretation_heading": "What this means",
    "interp_parts": "Segregation is mostly <strong>between parts of the municipality</strong>: "
    "when each school is pooled with the schools within about $small, spatial H still "
    "keeps $keep of the ordinary H ($h). Neighbouring schools are alike; the differences "
    "lie between areas, which follows where families live more than which nearby school "
    "they choose.",
    "interp_neighbours": "Segregation is mostly <strong>between neighbouring "
    "schools</strong>: when each school is pooled with the schools within about $small, "
    "spatial H already falls to $keep of the ordinary H ($h). Schools close together "
    "differ a lot, which points to local sorting between nearby schools (for example by "
    "school choice) rather than to where families live.",
    "interp_mixed": "Segregation is <strong>partly between neighbouring schools and partly "
    "between parts of the municipality</strong>: pooling each school with the schools "
    "within about $small keeps $keep_small of the ordinary H ($h), within about $large "
    "$keep_large.",
    "interp_between": "Of Theil's H, $between is between districts ($districts) and "
    "$within within them, between schools of the same district.",
    "interp_moran_cluster": "Schools with many $a pupils tend to lie near each other "
    "(Moran's I = $i, p = $p): a clustered pattern.",
    "interp_moran_checker": "Neighbouring schools tend to differ (Moran's I = $i, p = $p): "
    "a checkerboard pattern.",
    "interp_moran_none": "There is no clear pattern in which neighbouring schools resemble "
    "or differ from each other (Moran's I = $i, p = $p).",
    "interp_few": "With only $n schools, the spatial numbers are uncertain.",
    "interp_none": "The spatial indices could not be computed for this comparison.",
    "interp_for": "For $comparison$when:",
    "caveat_heading": "What these numbers cannot tell",
    "caveat": "The indices describe how unevenly pupils are spread over schools; they do "
    "not explain why. Differences between neighbourhoods (demography), free school "
    "choice, differences in school quality or profile and social networks can all "
    "contribute, and these numbers cannot tell them apart. A high value is not in itself "
    "a judgement on a school or a municipality, and a low value does not mean every "
    "school is mixed.",
    "exclusions_heading": "What was left out, and why",
    "exclusions_none": "Nothing was left out for this municipality.",
    "exclusions_note": "What was not used in the figures above, with the number of schools "
    "and pupils (added up over the years shown).",
    "reason": "Reason",
    "year": "Year",
    "what": "What",
    "units": "Schools",
    "method_heading": "Method and provenance",
    "method_intro": "Following the Dutch school-segregation report (2009-2018). School j "
    "has a_j pupils of group A and b_j of group B; A and B are the municipality's totals.",
    "def_dissimilarity": "Dissimilarity D = ½ Σ|a_j/A − b_j/B| (Duncan &amp; Duncan 1955): "
    "0 = every school has the municipality's mix, 1 = complete segregation.",
    "def_standardised": "Standardised D* = (D − E[D]) / (1 − E[D]) (or / E[D] below E[D]), "
    "with E[D] the exact expected D under random allocation (Carrington &amp; Troske "
    "1997).",
    "def_theil": "Theil's information index H (Reardon &amp; Firebaugh 2002).",
    "def_correlation": "Correlation index V = (xPx − P)/(1 − P) (Massey &amp; Denton 1988).",
    "def_spatial": "Spatial D and H: the same formulas after each school's pupils are "
    "spread over the schools around it by a distance kernel, each school's weights "
    "summing to 1 (local environments, Reardon &amp; O'Sullivan 2004, in dispersal "
    "form), so 0 ≤ spatial ≤ ordinary; the multi-scale profile repeats this over many "
    "bandwidths (Reardon et al. 2008).",
    "def_decomposition": "Between/within: Theil's H splits exactly into a part between "
    "districts and a part within districts.",
    "def_moran": "Moran's I of the schools' shares of group A with the same distance "
    "weights (row-standardised), with a permutation p-value (Moran 1950).",
    "def_bands": "Bands: 0-0.3 low, 0.3-0.6 moderate, 0.6-1 high (Massey &amp; Denton "
    "1993).",
    "parameters": "Parameters",
    "inputs": "Input files",
    "version": "Made with segspatial $version.",
    "generated": "Generated $stamp.",
    "districts_grid": "squares of $size m",
    "districts_file": "polygons from $file",
    "disclosure": "Disclosure control (N = $n): nothing on these pages lets anyone work "
    "out a number below $n of pupils of any group, in any school or municipality: not "
    "directly, not by subtracting published numbers from each other, not by working back "
    "from shares and indices. What is published, and why: pupil counts are rounded to "
    "multiples of $base, and counts below $n are shown as \"&lt; $n\"; a total over "
    "municipalities adds up their rounded numbers, leaving out those below $n; pupils "
    "without a group are not counted per municipality. No school shows a group count. A "
    "school with fewer than $n pupils in a group is grey and shows no share, and where "
    "a municipality has one such school a second one is grey too, so that neither can be "
    "worked out from the municipality's totals; the other schools show their share in "
    "bands of $band percentage points, and circles are sized by rounded pupils. Shares of "
    "a municipality are rounded to whole percents and indices to $digits decimals, in "
    "tables, charts, map colours and sort keys alike; Moran's I is computed from the bands "
    "as shown. Rounding alone is not enough in small municipalities, so every "
    "municipality and year is checked: for every number below $n, moving one pupil "
    "between groups (and back in another school) must give exactly the same pages; where "
    "no such move exists, the indices concerned, and if need be the municipality's "
    "shares and page, are not shown. Numbers of schools are public and shown as they "
    "are.",
    "param_filters": "Schools with fewer than $unit pupils and municipalities with fewer "
    "than $area pupils a year (on average) are left out.",
    "param_spatial": "Bandwidths: $bandwidths; kernel: $kernel; districts: $districts; "
    "Moran permutations: $permutations (seed $seed); coordinates: $crs.",
    "schools_col": "schools",
    "pupils_col": "pupils",
    "no_data": "no data",
    "not_shown": "not shown",
    "dropped_areas": "Municipalities without a page for disclosure control (numbers below "
    "$n could otherwise be worked out)",
    "exclusions_note_disclosure": "Pupils are rounded; a total on this page adds up the "
    "municipalities' rounded numbers, leaving out those below $n.",

    "print": "Print",
    "left_out_areas": "Municipalities without a page",
    "page_title": "$name ($code): school segregation",
    # Figures and map legends (plain text: no markup, drawn literally by matplotlib and
    # escaped by the web maps). Keys start with "fig_".
    "fig_no_data": "no data",
    "fig_below_scale": "below $value",
    "fig_above_scale": "above $value",
    "fig_band": "$band ($low–$high)",
    "fig_band_low": "low",
    "fig_band_moderate": "moderate",
    "fig_band_high": "high",
    "fig_comparison_pupils": "$comparison pupils",
    "fig_versus": "$a vs $b",
    "fig_group_a": "group A",
    "fig_group_b": "group B",
    "fig_at_distance": "$index at $distance ($kernel kernel)",
    "fig_nearest": "$index, $k nearest schools",
    "fig_neighbours": "$index, neighbouring schools ($kernel)",
    "fig_log_base": "$index (log base $base)",
    "fig_page": "$title (page $page of $pages)",
    "fig_share_of": "Share of $a",
    "fig_share_per_school": "Share of $a per school",
    "fig_share_centre": "Share of $a (white: the area's $centre)",
    "fig_share_centred": "Share of $a (white: each area's own share)",
    "fig_area_share": "area's share",
    "fig_pupils_per_school": "Pupils per school",
    "fig_circle_area": "circle area: pupils",
    "fig_suppressed": "share not shown: a group has fewer than $n pupils",
    "fig_area": "Municipality",
    "fig_index": "Index",
    "fig_kernel": "Kernel",
    "fig_index_value": "Index value",
    "fig_bandwidth_axis": "Bandwidth: radius of each school's surroundings",
    "fig_profile_title": "Multi-scale profile: $index by bandwidth",
    "fig_profile_kernel": "$title ($kernel kernel)",
    "fig_aspatial": "school itself",
    "fig_ranking_axis": "$index (municipalities sorted by value)",
    "fig_hp_title": "Income profile H(p)",
    "fig_hp_x": "p: share of the area's pupils at or below the income threshold",
    "fig_hp_y": "Theil's H between pupils below and above p",
    "fig_hp_line": "H(p)",
    "fig_hp_fit": "polynomial fit (rank-order index)",
    "fig_local_title": "$value per school",
    "fig_local_ls": "Local segregation score ls",
    "fig_local_m_contribution": "Contribution to M",
    "fig_local_h_contribution": "Contribution to H",
    "fig_local_entropy": "School entropy (diversity)",
    "fig_local_note": "circle area: pupils; 0 = the area's mix",
}

_NL = {
    "lang_name": "Nederlands",
    "index_title": "Schoolsegregatie per gemeente",
    "index_intro": "Eén pagina per gemeente: hoe ongelijk leerlingen van twee groepen over "
    "de scholen verdeeld zijn, hoe dat door de jaren veranderde, en waar het gebeurt. "
    "Klik op een gemeente op de kaart of in de tabel om haar pagina te openen.",
    "index_map_heading": "Kaart: $index, $comparison$when",
    "index_map_note": "Kleuren op de vaste schaal van het rapport: donkergroen (0, elke "
    "school weerspiegelt de gemeente) tot donkerrood (0,8). Grijs: geen waarde (te klein, "
    "of weggelaten).",
    "index_table_heading": "Alle gemeenten",
    "index_table_note": "Klik op een kolomkop om te sorteren. Waarden gelden voor het "
    "laatste jaar; D is de hoofdindex.",
    "index_left_out_heading": "Buiten het hele rapport gelaten",
    "back_to_index": "Alle gemeenten",
    "static_map": "Kaart om af te drukken",
    "interactive_map": "Interactieve kaart (zoomen, beweeg over een school voor details)",
    "map_fallback": "De interactieve kaart heeft JavaScript nodig; de vaste kaart toont "
    "dezelfde scholen.",
    "map_fallback_index": "De interactieve kaart heeft JavaScript nodig; de vaste kaart "
    "toont dezelfde waarden.",
    "municipality": "Gemeente",
    "code": "Code",
    "name": "Naam",
    "years_covered": "Jaren",
    "no_years": "één periode (geen jaarkolom)",
    "pupils": "Leerlingen",
    "schools": "Scholen",
    "group_shares": "Aandeel per groep",
    "share_of": "$share $group",
    "latest_year": "laatste jaar: $year",
    "in_short": "In het kort",
    "lead_sentence": "De dissimilariteitsindex D tussen leerlingen $a en $b$when is "
    "$value: <strong>$band segregatie</strong> (indeling van Massey &amp; Denton: onder 0,3 "
    "laag, 0,3 tot 0,6 matig, boven 0,6 hoog).",
    "lead_move": "Om elke school dezelfde mix van beide groepen te geven als de gemeente "
    "als geheel, zou ongeveer $pct van de leerlingen $a van school moeten wisselen.",
    "lead_random": "Ook als leerlingen willekeurig over de scholen verdeeld werden, zou D "
    "ongeveer $expected zijn (kleine scholen en groepen geven door toeval enige "
    "ongelijkheid); de gestandaardiseerde D*, de afstand tot een willekeurige verdeling, "
    "is $dstar.",
    "lead_undefined": "De dissimilariteitsindex tussen leerlingen $a en $b$when kon niet "
    "berekend worden: $reason.",
    "band_low": "lage",
    "band_moderate": "matige",
    "band_high": "hoge",
    "latest_heading": "Segregatie$when",
    "latest_note": "Vier indexen per vergelijking. D is de hoofdindex; D* vergelijkt D met "
    "een willekeurige verdeling van leerlingen over scholen (0 = als willekeurig, 1 = "
    "volledige segregatie, negatief = gelijkmatiger dan willekeurig); H en V bekijken de "
    "ongelijkheid op een andere manier. Waar ze verschillen: lees D met zorg.",
    "comparison": "Vergelijking",
    "band": "Niveau",
    "pupils_used": "Leerlingen in de twee groepen",
    "no_value": "geen waarde",
    "trend_heading": "Ontwikkeling door de jaren",
    "trend_note": "D (doorgetrokken lijn) en D* (gestreept) per jaar, op de vaste schaal "
    "van het rapport, 0 tot 0,8. Achtergrond: laag (groen), matig (geel), hoog (rood).",
    "trend_one_year": "De gegevens beslaan één jaar: er is geen ontwikkeling te tonen.",
    "trend_no_values": "Geen enkel jaar heeft een waarde voor deze indexen (zie verderop "
    "waarom): er is geen ontwikkeling te tonen.",
    "chart_outside": "○ waarde buiten $low–$high, aan de rand getekend",
    "map_heading": "Waar de scholen liggen",
    "map_note": "Elke cirkel is een school, met een oppervlak naar het aantal leerlingen. "
    "Kleur: aandeel leerlingen $a, wit = gelijk aan de gemeente ($centre), rood = meer, "
    "blauw = minder. Vergelijking: $comparison$when.",
    "map_more": "meer leerlingen $a",
    "map_fewer": "minder leerlingen $a",
    "map_same": "als de gemeente",
    "map_suppressed": "grijs: aandeel niet getoond, een groep heeft minder dan $n leerlingen",
    "spatial_heading": "Tussen naburige scholen, of tussen delen van de gemeente?",
    "spatial_note": "De indexen hierboven negeren waar scholen liggen: een schaakbord van "
    "gescheiden scholen naast elkaar scoort hetzelfde als een stad in twee helften. De "
    "ruimtelijke varianten vergelijken daarom de omgeving van elke school: de leerlingen "
    "van een school worden verdeeld over de scholen eromheen, de school zelf "
    "meegerekend, gewogen naar afstand (een $kernel-kern met de getoonde bandbreedte), "
    "zodat elke leerling één keer telt en een ruimtelijke waarde nooit boven de gewone "
    "ligt. Blijft de segregatie hoog als de omgeving groter wordt, dan zit ze tussen "
    "delen van de gemeente; daalt ze snel, dan zit ze tussen naburige scholen.",
    "spatial_table_comparison": "Vergelijking",
    "aspatial": "de school zelf",
    "bandwidth_m": "$m m",
    "between_share": "Tussen wijken (deel van H)",
    "morans_i": "Moran's I",
    "profile_heading": "Profiel over schalen",
    "profile_note": "Ruimtelijke D (doorgetrokken) en ruimtelijke H (gestreept) naarmate de "
    "omgeving van elke school groter wordt, voor $comparison. Bij 0 m zijn ze gelijk aan "
    "de gewone D en H; ze komen er nooit boven.",
    "interpretation_heading": "Wat dit betekent",
    "interp_parts": "De segregatie zit vooral <strong>tussen delen van de "
    "gemeente</strong>: als elke school wordt samengenomen met de scholen binnen ongeveer "
    "$small, houdt de ruimtelijke H nog $keep van de gewone H ($h) over. Naburige scholen "
    "lijken op elkaar; de verschillen liggen tussen wijken, wat meer volgt waar gezinnen "
    "wonen dan welke school in de buurt ze kiezen.",
    "interp_neighbours": "De segregatie zit vooral <strong>tussen naburige "
    "scholen</strong>: als elke school wordt samengenomen met de scholen binnen ongeveer "
    "$small, daalt de ruimtelijke H al tot $keep van de gewone H ($h). Scholen dicht bij "
    "elkaar verschillen sterk; dat wijst eerder op sortering tussen nabije scholen "
    "(bijvoorbeeld door schoolkeuze) dan op waar gezinnen wonen.",
    "interp_mixed": "De segregatie zit <strong>deels tussen naburige scholen en deels "
    "tussen delen van de gemeente</strong>: samennemen met de scholen binnen ongeveer "
    "$small houdt $keep_small van de gewone H ($h) over, binnen ongeveer $large "
    "$keep_large.",
    "interp_between": "Van Theils H zit $between tussen wijken ($districts) en $within "
    "daarbinnen, tussen scholen in dezelfde wijk.",
    "interp_moran_cluster": "Scholen met veel leerlingen $a liggen vaak bij elkaar "
    "(Moran's I = $i, p = $p): een geclusterd patroon.",
    "interp_moran_checker": "Naburige scholen verschillen vaak van elkaar (Moran's I = $i, "
    "p = $p): een schaakbordpatroon.",
    "interp_moran_none": "Er is geen duidelijk patroon waarin naburige scholen op elkaar "
    "lijken of van elkaar verschillen (Moran's I = $i, p = $p).",
    "interp_few": "Met maar $n scholen zijn de ruimtelijke cijfers onzeker.",
    "interp_none": "De ruimtelijke indexen konden voor deze vergelijking niet berekend "
    "worden.",
    "interp_for": "Voor $comparison$when:",
    "caveat_heading": "Wat deze cijfers niet kunnen zeggen",
    "caveat": "De indexen beschrijven hoe ongelijk leerlingen over scholen verdeeld zijn; "
    "ze verklaren niet waarom. Verschillen tussen buurten (demografie), vrije schoolkeuze, "
    "verschillen in kwaliteit of profiel van scholen en sociale netwerken kunnen allemaal "
    "bijdragen, en deze cijfers kunnen die niet van elkaar scheiden. Een hoge waarde is op "
    "zich geen oordeel over een school of gemeente, en een lage waarde betekent niet dat "
    "elke school gemengd is.",
    "exclusions_heading": "Wat is weggelaten, en waarom",
    "exclusions_none": "Voor deze gemeente is niets weggelaten.",
    "exclusions_note": "Wat niet in de cijfers hierboven is gebruikt, met het aantal scholen "
    "en leerlingen (opgeteld over de getoonde jaren).",
    "reason": "Reden",
    "year": "Jaar",
    "what": "Wat",
    "units": "Scholen",
    "method_heading": "Methode en herkomst",
    "method_intro": "Volgens het Nederlandse rapport over schoolsegregatie (2009-2018). "
    "School j heeft a_j leerlingen van groep A en b_j van groep B; A en B zijn de totalen "
    "van de gemeente.",
    "def_dissimilarity": "Dissimilariteit D = ½ Σ|a_j/A − b_j/B| (Duncan &amp; Duncan 1955): "
    "0 = elke school heeft de mix van de gemeente, 1 = volledige segregatie.",
    "def_standardised": "Gestandaardiseerde D* = (D − E[D]) / (1 − E[D]) (of / E[D] onder "
    "E[D]), met E[D] de exacte verwachte D bij willekeurige verdeling (Carrington &amp; "
    "Troske 1997).",
    "def_theil": "Theils informatie-index H (Reardon &amp; Firebaugh 2002).",
    "def_correlation": "Correlatie-index V = (xPx − P)/(1 − P) (Massey &amp; Denton 1988).",
    "def_spatial": "Ruimtelijke D en H: dezelfde formules nadat de leerlingen van elke "
    "school met een afstandskern over de scholen eromheen zijn verdeeld, de gewichten "
    "van elke school samen 1 (lokale omgevingen, Reardon &amp; O'Sullivan 2004, in "
    "spreidingsvorm), zodat 0 ≤ ruimtelijk ≤ gewoon; het profiel herhaalt dit over "
    "veel bandbreedtes (Reardon e.a. 2008).",
    "def_decomposition": "Tussen/binnen: Theils H valt exact uiteen in een deel tussen "
    "wijken en een deel binnen wijken.",
    "def_moran": "Moran's I van de aandelen groep A van de scholen met dezelfde "
    "afstandsgewichten (rij-gestandaardiseerd), met een permutatie-p-waarde (Moran 1950).",
    "def_bands": "Niveaus: 0-0,3 laag, 0,3-0,6 matig, 0,6-1 hoog (Massey &amp; Denton "
    "1993).",
    "parameters": "Instellingen",
    "inputs": "Invoerbestanden",
    "version": "Gemaakt met segspatial $version.",
    "generated": "Gemaakt op $stamp.",
    "districts_grid": "vierkanten van $size m",
    "districts_file": "vlakken uit $file",
    "disclosure": "Onthullingsbeheersing (N = $n): niets op deze pagina's maakt het "
    "mogelijk een aantal onder $n leerlingen van een groep te achterhalen, op een school "
    "of in een gemeente: niet rechtstreeks, niet door gepubliceerde getallen van elkaar "
    "af te trekken en niet door terug te rekenen uit aandelen en indices. Wat wordt "
    "gepubliceerd, en waarom: aantallen leerlingen zijn afgerond op vijftallen "
    "(veelvouden van $base), en aantallen onder $n worden getoond als \"&lt; $n\"; een "
    "totaal over gemeenten telt hun afgeronde aantallen op, zonder die onder $n; "
    "leerlingen zonder groep worden niet per gemeente geteld. Geen school toont een "
    "groepsaantal. Een school met minder dan $n leerlingen in een groep is grijs en toont "
    "geen aandeel, en heeft een gemeente één zo'n school, dan is ook een tweede grijs, "
    "zodat geen van beide uit de totalen van de gemeente volgt; de andere scholen tonen "
    "hun aandeel in klassen van $band procentpunt, en cirkels hebben de grootte van het "
    "afgeronde aantal leerlingen. Aandelen van een gemeente zijn afgerond op hele "
    "procenten en indices op $digits decimalen, in tabellen, grafieken, kaartkleuren en "
    "sorteersleutels; Moran's I is berekend uit de klassen zoals getoond. In kleine "
    "gemeenten is afronden alleen niet genoeg, dus wordt elke gemeente en elk jaar "
    "gecontroleerd: voor elk aantal onder $n moet het verplaatsen van één leerling naar "
    "een andere groep (en terug op een andere school) precies dezelfde pagina's geven; "
    "waar zo'n verplaatsing niet bestaat, worden de betrokken indices, en zo nodig de "
    "aandelen en de pagina van de gemeente, niet getoond. Aantallen scholen zijn "
    "openbaar en worden getoond zoals ze zijn.",
    "param_filters": "Scholen met minder dan $unit leerlingen en gemeenten met minder dan "
    "$area leerlingen per jaar (gemiddeld) zijn weggelaten.",
    "param_spatial": "Bandbreedtes: $bandwidths; kern: $kernel; wijken: $districts; "
    "Moran-permutaties: $permutations (seed $seed); coördinaten: $crs.",
    "schools_col": "scholen",
    "pupils_col": "leerlingen",
    "no_data": "geen gegevens",
    "not_shown": "niet getoond",
    "dropped_areas": "Gemeenten zonder pagina vanwege onthullingsbeheersing (anders zouden "
    "aantallen onder $n te achterhalen zijn)",
    "exclusions_note_disclosure": "Aantallen leerlingen zijn afgerond; een totaal op deze "
    "pagina telt de afgeronde aantallen van de gemeenten op, zonder die onder $n.",

    "print": "Afdrukken",
    "left_out_areas": "Gemeenten zonder pagina",
    "page_title": "$name ($code): schoolsegregatie",
    "fig_no_data": "geen gegevens",
    "fig_below_scale": "onder $value",
    "fig_above_scale": "boven $value",
    "fig_band": "$band ($low–$high)",
    "fig_band_low": "laag",
    "fig_band_moderate": "matig",
    "fig_band_high": "hoog",
    "fig_comparison_pupils": "leerlingen $comparison",
    "fig_versus": "$a vs $b",
    "fig_group_a": "groep A",
    "fig_group_b": "groep B",
    "fig_at_distance": "$index bij $distance ($kernel kern)",
    "fig_nearest": "$index, $k dichtstbijzijnde scholen",
    "fig_neighbours": "$index, naburige scholen ($kernel)",
    "fig_log_base": "$index (logaritme met grondtal $base)",
    "fig_page": "$title (pagina $page van $pages)",
    "fig_share_of": "Aandeel $a",
    "fig_share_per_school": "Aandeel $a per school",
    "fig_share_centre": "Aandeel $a (wit: het gebied, $centre)",
    "fig_share_centred": "Aandeel $a (wit: het aandeel van het eigen gebied)",
    "fig_area_share": "aandeel gebied",
    "fig_pupils_per_school": "Leerlingen per school",
    "fig_circle_area": "oppervlak cirkel: leerlingen",
    "fig_suppressed": "aandeel niet getoond: een groep heeft minder dan $n leerlingen",
    "fig_area": "Gemeente",
    "fig_index": "Index",
    "fig_kernel": "Kern",
    "fig_index_value": "Indexwaarde",
    "fig_bandwidth_axis": "Bandbreedte: straal van de omgeving van elke school",
    "fig_profile_title": "Profiel over schalen: $index naar bandbreedte",
    "fig_profile_kernel": "$title ($kernel kern)",
    "fig_aspatial": "de school zelf",
    "fig_ranking_axis": "$index (gemeenten gesorteerd op waarde)",
    "fig_hp_title": "Inkomensprofiel H(p)",
    "fig_hp_x": "p: aandeel van de leerlingen in het gebied op of onder de inkomensgrens",
    "fig_hp_y": "Theils H tussen leerlingen onder en boven p",
    "fig_hp_line": "H(p)",
    "fig_hp_fit": "polynoom (rangorde-index)",
    "fig_local_title": "$value per school",
    "fig_local_ls": "Lokale segregatiescore ls",
    "fig_local_m_contribution": "Bijdrage aan M",
    "fig_local_h_contribution": "Bijdrage aan H",
    "fig_local_entropy": "Entropie van de school (diversiteit)",
    "fig_local_note": "oppervlak cirkel: leerlingen; 0 = de mix van het gebied",
}

TEXT = MappingProxyType({"en": MappingProxyType(_EN), "nl": MappingProxyType(_NL)})

#: Short names of the indices shown in the report.
INDEX_LABELS = MappingProxyType({
    "en": MappingProxyType({
        "dissimilarity": "D", "dissimilarity_standardised": "D*",
        "dissimilarity_expected": "E[D]", "theil_h": "H", "correlation": "V",
        "spatial_dissimilarity": "spatial D", "spatial_theil_h": "spatial H",
    }),
    "nl": MappingProxyType({
        "dissimilarity": "D", "dissimilarity_standardised": "D*",
        "dissimilarity_expected": "E[D]", "theil_h": "H", "correlation": "V",
        "spatial_dissimilarity": "ruimtelijke D", "spatial_theil_h": "ruimtelijke H",
    }),
})

#: Full names of the indices, for figure titles, legends and colour bars (plain text).
#: An index not listed here (a plug-in) is shown by its own name.
INDEX_TITLES = MappingProxyType({
    "en": MappingProxyType({
        "dissimilarity": "Dissimilarity index D",
        "dissimilarity_standardised": "Standardised dissimilarity D*",
        "dissimilarity_expected": "Expected D under random allocation, E[D]",
        "theil_h": "Theil's information index H",
        "correlation": "Correlation index V",
        "isolation_a": "Isolation of group A, aPa",
        "isolation_b": "Isolation of group B, bPb",
        "exposure_ab": "Exposure of group A to group B, aPb",
        "exposure_ba": "Exposure of group B to group A, bPa",
        "mutual_information": "Mutual information index M",
        "multigroup_theil_h": "Multigroup Theil's H",
        "multigroup_dissimilarity": "Multigroup dissimilarity D",
        "normalised_exposure": "Normalised exposure P",
        "entropy": "Entropy E (diversity)",
        "spatial_dissimilarity": "Spatial D",
        "spatial_theil_h": "Spatial H",
        "spatial_isolation_a": "Spatial isolation of group A, aPa",
        "spatial_isolation_b": "Spatial isolation of group B, bPb",
        "spatial_exposure_ab": "Spatial exposure of group A to group B, aPb",
        "spatial_exposure_ba": "Spatial exposure of group B to group A, bPa",
        "morans_i": "Moran's I",
        "morans_i_p": "p-value of Moran's I",
        "morrill_d": "Morrill's adjusted D",
        "theil_h_between": "H between districts",
        "theil_h_within": "H within districts",
    }),
    "nl": MappingProxyType({
        "dissimilarity": "Dissimilariteitsindex D",
        "dissimilarity_standardised": "Gestandaardiseerde dissimilariteit D*",
        "dissimilarity_expected": "Verwachte D bij willekeurige verdeling, E[D]",
        "theil_h": "Theils informatie-index H",
        "correlation": "Correlatie-index V",
        "isolation_a": "Isolatie van groep A, aPa",
        "isolation_b": "Isolatie van groep B, bPb",
        "exposure_ab": "Blootstelling van groep A aan groep B, aPb",
        "exposure_ba": "Blootstelling van groep B aan groep A, bPa",
        "mutual_information": "Wederzijdse-informatie-index M",
        "multigroup_theil_h": "Theils H voor meerdere groepen",
        "multigroup_dissimilarity": "Dissimilariteit D voor meerdere groepen",
        "normalised_exposure": "Genormaliseerde blootstelling P",
        "entropy": "Entropie E (diversiteit)",
        "spatial_dissimilarity": "Ruimtelijke D",
        "spatial_theil_h": "Ruimtelijke H",
        "spatial_isolation_a": "Ruimtelijke isolatie van groep A, aPa",
        "spatial_isolation_b": "Ruimtelijke isolatie van groep B, bPb",
        "spatial_exposure_ab": "Ruimtelijke blootstelling van groep A aan groep B, aPb",
        "spatial_exposure_ba": "Ruimtelijke blootstelling van groep B aan groep A, bPa",
        "morans_i": "Moran's I",
        "morans_i_p": "p-waarde van Moran's I",
        "morrill_d": "Gecorrigeerde D van Morrill",
        "theil_h_between": "H tussen wijken",
        "theil_h_within": "H binnen wijken",
    }),
})

#: The pupil groups as noun phrases, for figure text ("Share of non-western pupils").
GROUP_NOUNS = MappingProxyType({
    "en": MappingProxyType({
        "dutch": "Dutch pupils", "western": "western pupils",
        "nonwestern": "non-western pupils", "low_income": "pupils from low-income families",
        "middle_income": "pupils from middle-income families",
        "high_income": "pupils from high-income families",
        "low_education": "pupils with low-educated parents",
        "middle_education": "pupils with middle-educated parents",
        "high_education": "pupils with high-educated parents",
    }),
    "nl": MappingProxyType({
        "dutch": "Nederlandse leerlingen", "western": "westerse leerlingen",
        "nonwestern": "niet-westerse leerlingen",
        "low_income": "leerlingen uit gezinnen met een laag inkomen",
        "middle_income": "leerlingen uit gezinnen met een middeninkomen",
        "high_income": "leerlingen uit gezinnen met een hoog inkomen",
        "low_education": "leerlingen met laag opgeleide ouders",
        "middle_education": "leerlingen met middelbaar opgeleide ouders",
        "high_education": "leerlingen met hoog opgeleide ouders",
    }),
})

#: Names of the spatial kernels (the ``kernel`` column of a results table).
KERNEL_LABELS = MappingProxyType({
    "en": MappingProxyType({"gaussian": "Gaussian", "biweight": "biweight",
                            "boxcar": "boxcar", "knn": "nearest neighbours",
                            "voronoi": "Voronoi neighbours"}),
    "nl": MappingProxyType({"gaussian": "Gaussische", "biweight": "biweight",
                            "boxcar": "uniforme", "knn": "dichtstbijzijnde buren",
                            "voronoi": "Voronoi-buren"}),
})

#: Labels of the pupil groups (the group columns of :mod:`segspatial.pupils`).
GROUP_LABELS = MappingProxyType({
    "en": MappingProxyType({
        "dutch": "Dutch", "western": "western", "nonwestern": "non-western",
        "low_income": "low-income", "middle_income": "middle-income",
        "high_income": "high-income", "low_education": "low-education",
        "middle_education": "middle-education", "high_education": "high-education",
    }),
    "nl": MappingProxyType({
        "dutch": "Nederlands", "western": "westers", "nonwestern": "niet-westers",
        "low_income": "laag inkomen", "middle_income": "midden inkomen",
        "high_income": "hoog inkomen", "low_education": "laag opgeleide ouders",
        "middle_education": "middelbaar opgeleide ouders",
        "high_education": "hoog opgeleide ouders",
    }),
})

#: Labels of the report's seven comparisons.
COMPARISON_LABELS = MappingProxyType({
    "en": MappingProxyType({
        "dutch_vs_nonwestern": "Dutch vs non-western",
        "dutch_vs_western": "Dutch vs western",
        "western_vs_nonwestern": "western vs non-western",
        "high_vs_low_income": "high vs low income",
        "high_vs_middle_income": "high vs middle income",
        "middle_vs_low_income": "middle vs low income",
        "high_vs_low_education": "high vs low parental education",
    }),
    "nl": MappingProxyType({
        "dutch_vs_nonwestern": "Nederlands vs niet-westers",
        "dutch_vs_western": "Nederlands vs westers",
        "western_vs_nonwestern": "westers vs niet-westers",
        "high_vs_low_income": "hoog vs laag inkomen",
        "high_vs_middle_income": "hoog vs midden inkomen",
        "middle_vs_low_income": "midden vs laag inkomen",
        "high_vs_low_education": "hoog vs laag opgeleide ouders",
    }),
})

#: Dutch descriptions of the exclusion reasons (English ones come from the reason table).
REASON_TEXT = MappingProxyType({
    "nl": MappingProxyType({
        "small_area": "gemeente onder het minimum gemiddeld aantal leerlingen per jaar",
        "small_unit": "school onder het minimum aantal leerlingen",
        "not_in_comparison": "leerlingen in geen van beide groepen",
        "too_few_units": "minder dan 2 scholen over: indexen niet gedefinieerd",
        "group_absent": "groep A of B heeft geen leerlingen: indexen niet gedefinieerd",
        "missing_unit": "leerlingen zonder school",
        "missing_area": "leerlingen zonder gemeente",
        "missing_year": "leerlingen zonder jaar",
        "missing_value": "leerlingen zonder waarde voor het thema",
        "unknown_code": "leerlingen met een onbekende code voor het thema",
        "invalid_value": "leerlingen met een ongeldige waarde (inkomen)",
        "between_bands": "inkomen tussen de banden: geen inkomensgroep",
        "no_location": "scholen zonder coördinaten: niet in de kaarten en ruimtelijke indexen",
        "outside_districts": "scholen buiten alle wijken: niet in de tussen/binnen-splitsing",
        "postcode_unmatched": "scholen waarvan de postcode niet gevonden is",
        "outside_areas": "scholen buiten alle gebieden",
    }),
})
