"""The QGIS provider's texts in English and Dutch: one catalogue per language.

Keys are the algorithm names (``alg.<name>`` and ``help.<name>``), the parameter names
(``param.<NAME>`` for the label, ``tip.<NAME>`` for the tooltip), the choice labels
(``choice.<value>``) and the legend labels (``legend.*``). Every key exists in both
languages (a test checks it). The texts are static: no input value is ever formatted
into them except through :func:`text`'s ``str.format`` fields, whose values the QGIS
widgets show as plain text.
"""

from __future__ import annotations

__all__ = ["LANGUAGES", "TEXTS", "language", "text"]

#: Languages of the catalogue; the first is the fallback.
LANGUAGES = ("en", "nl")

_EN: dict[str, str] = {
    # provider and groups
    "provider": "segspatial (school segregation)",
    "group": "School segregation",
    # algorithms
    "alg.indices": "Segregation indices per area",
    "alg.local_measures": "Local measures per school",
    "alg.profile": "Multi-scale profile",
    "alg.report": "Municipality report",
    "alg.multigroup": "Several groups at once (multigroup indices)",
    "alg.change": "Change over time per area",
    "help.multigroup": (
        "<p>Segregation of two or more groups at once (e.g. Dutch, western and "
        "non-western pupils, or five income groups) for every area (and year): Theil's "
        "mutual information M and H = M / E, the multigroup dissimilarity D (Reardon "
        "&amp; Firebaugh 2002), the normalised exposure and the entropy E. With two "
        "groups they equal the two-group M, H, D and V.</p>"
        "<p>With a <i>grouping field</i> (e.g. the denomination of the school, a school "
        "board or a district), M and H are split exactly into the segregation between "
        "those groupings and within them (between + within = total), as fields "
        "<i>multigroup_theil_h_between_&lt;field&gt;</i> and "
        "<i>..._within_&lt;field&gt;</i>; optionally a table per grouping and the local "
        "score of every school (its contribution to M and H).</p>"
        "<p><b>Output</b>: the area polygons with one field per index, coloured on the "
        "report's fixed scale, and a table of everything left out, with the reason. "
        "Optionally bootstrap intervals and a randomisation test (advanced "
        "parameters).</p>"
        "<p>Same computation as <code>segspatial indices --groups ... --within ...</code> "
        "and <code>segspatial.multigroup_segregation</code>.</p>"),
    "help.change": (
        "<p>For every area and index: the difference between two years (default: the "
        "first and the last year with a value) and the linear trend over the years, "
        "with bootstrap confidence intervals and p-values. The direction is "
        "<i>rising</i> or <i>falling</i> only when the interval excludes zero, else "
        "<i>no_clear_change</i>.</p>"
        "<p>The schools need a year field (one point per school per year).</p>"
        "<p><b>Output</b>: one table row per area, index and statistic (difference, "
        "trend), and a table of everything left out, with the reason.</p>"
        "<p>Same computation as <code>segspatial change INPUT --unit ...</code> and "
        "<code>segspatial.inference.infer(..., change=True)</code>.</p>"),
    "help.indices": (
        "<p>Computes the segregation indices for every area (and year) from a point layer "
        "of schools with the pupils of two groups: the dissimilarity index D, "
        "Carrington &amp; Troske's standardised D*, Theil's H and the correlation index V "
        "(and any index a plug-in adds), plus the spatial indices of Reardon &amp; "
        "O'Sullivan (2004) per bandwidth, Moran's I and Morrill's D. Optionally "
        "bootstrap standard errors and confidence intervals and a randomisation test "
        "against random allocation (advanced parameters).</p>"
        "<p>The areas are the polygons of an area layer (each school goes to the polygon "
        "that contains it, or the nearest one within the snap distance) or the codes of "
        "an area field of the schools (then joined to the polygons by their code "
        "field).</p>"
        "<p><b>Output</b>: the area polygons with one field per index (spatial indices "
        "as <i>spatial_dissimilarity_gaussian_1000</i>), coloured on the report's fixed "
        "scale from 0 (dark green) to 0.8 (dark red), and a table of everything left out, "
        "with the reason. Distances are computed in the distance CRS (projected, "
        "metres); a geographic distance CRS is refused.</p>"
        "<p>Same computation as <code>segspatial indices</code> and "
        "<code>segspatial.spatial.spatial_segregation</code>.</p>"),
    "help.local_measures": (
        "<p>For every school: its share of group A (<i>p</i>), the share in its local "
        "environment (<i>p_local</i>, kernel-weighted over the schools around it), the "
        "gap <i>p &minus; p_local</i> (how unlike its surroundings it is), the share of "
        "its area (<i>p_area</i>) and its contribution to D and to the spatial D.</p>"
        "<p><b>Output</b>: the school points with these fields, coloured on a diverging "
        "scale centred on the area's own share (blue: less group A than its area; red: "
        "more). Schools left out by the filters keep empty fields and are grey.</p>"
        "<p>Same computation as <code>segspatial local</code> and "
        "<code>segspatial.spatial.local_measures</code>.</p>"),
    "help.profile": (
        "<p>The spatial D and H of every area over a range of bandwidths (a segregation "
        "profile, Reardon et al. 2008): a value that falls quickly with the bandwidth "
        "means segregation between neighbouring schools; a flat line, segregation "
        "between parts of the town.</p>"
        "<p><b>Output</b>: a table (area, year, index, bandwidth, value) and an HTML "
        "page with the profile charts of the areas with the most pupils (at most "
        "{max_chart_areas}), listed in the results viewer.</p>"
        "<p>Same computation as <code>segspatial.spatial.multiscale_profile</code>.</p>"),
    "help.report": (
        "<p>Writes the HTML report: an index page with a map and a sortable table of "
        "every municipality, and one page per municipality with the indices, trends, "
        "school maps, the spatial analysis with a plain-words interpretation, what was "
        "left out and the method. The pages are self-contained, every name is escaped, "
        "and reruns give identical pages.</p>"
        "<p>With <i>smallest count shown</i> (disclosure control) no pupil count below "
        "it appears anywhere in the pages.</p>"
        "<p>Same computation as <code>segspatial report</code>.</p>"),
    # inputs
    "param.SCHOOLS": "Schools (point layer)",
    "tip.SCHOOLS": "One point per school (per year), with the pupils of the two groups.",
    "param.UNIT": "School id field [optional; default: feature id]",
    "tip.UNIT": "Identifies a school across years; without it every feature is a school.",
    "param.GROUP_A": "Group A pupils field",
    "tip.GROUP_A": "Number of pupils of group A at the school (a whole number >= 0).",
    "param.GROUP_B": "Group B pupils field",
    "tip.GROUP_B": "Number of pupils of group B at the school.",
    "param.TOTAL": "All pupils field [optional]",
    "tip.TOTAL": "All pupils of the school, including those in neither group (used by "
                 "the size filters); default: group A + group B.",
    "param.YEAR": "Year field [optional]",
    "tip.YEAR": "Year of the counts; without it all features form one year.",
    "param.NAME": "School name field [optional]",
    "tip.NAME": "Shown on the report's school maps.",
    "param.AREA_FIELD": "Area code field of the schools [optional]",
    "tip.AREA_FIELD": "The area (municipality) code of every school. Without it, each "
                      "school goes to the area polygon that contains it.",
    "param.AREAS": "Areas (polygon layer)",
    "tip.AREAS": "Area polygons, e.g. CBS municipalities; the output has one feature per "
                 "polygon (per year).",
    "param.AREA_CODE": "Area code field of the areas [optional; default: statcode, else "
                       "feature id]",
    "tip.AREA_CODE": "Matches the schools' area field, e.g. statcode (GM0363); by "
                     "default statcode when the layer has it, else the feature id.",
    "param.AREA_NAME": "Area name field [optional]",
    "tip.AREA_NAME": "Area names for charts and pages; by default statnaam (or name, "
                     "naam) when the layer has it.",
    "param.SNAP": "Snap distance to the nearest area (m)",
    "tip.SNAP": "A school outside every polygon goes to the nearest one within this "
                "distance; farther ones are left out and counted (0: no snapping).",
    "param.DISTANCE_CRS": "Distance CRS (projected, metres)",
    "tip.DISTANCE_CRS": "All distances are computed in this CRS; a geographic CRS "
                        "(degrees) is refused. The layers may be in any CRS.",
    "param.MIN_UNIT_SIZE": "Smallest school (pupils; 0: no filter)",
    "tip.MIN_UNIT_SIZE": "Schools with fewer pupils are left out (the report's filter).",
    "param.MIN_AREA_SIZE": "Smallest area (mean pupils a year; 0: no filter)",
    "tip.MIN_AREA_SIZE": "Areas with fewer pupils a year on average are left out (the "
                         "report's filter).",
    "param.INDICES": "Indices",
    "tip.INDICES": "Aspatial indices to compute; plug-in indices appear here when "
                   "installed.",
    "param.BANDWIDTHS": "Bandwidths (m, separated by commas; empty: no spatial indices)",
    "tip.BANDWIDTHS": "Kernel bandwidths of the local environments, in metres.",
    "param.BANDWIDTH": "Bandwidth (m)",
    "tip.BANDWIDTH": "Kernel bandwidth of the local environments, in metres.",
    "param.KERNEL": "Kernel",
    "tip.KERNEL": "Distance kernel: gaussian (cut off at 5 bandwidths), biweight or "
                  "boxcar.",
    "param.K": "Nearest schools k (instead of the bandwidth) [optional]",
    "tip.K": "Local environment of the k nearest schools (weight 1 each).",
    "param.CONTEXT": "Neighbours from",
    "tip.CONTEXT": "area: only schools of the same area and year; all: schools across "
                   "the area border count too (the indices stay per area).",
    "param.SPATIAL_INDICES": "Spatial indices [optional; empty: the default set]",
    "tip.SPATIAL_INDICES": "Default: spatial D and H, Moran's I and its p-value, "
                           "Morrill's D (and the split of H with districts).",
    "param.PERMUTATIONS": "Permutations for Moran's I p-value (0: none)",
    "tip.PERMUTATIONS": "Random permutations of the schools' shares within each "
                        "area-year.",
    "param.SEED": "Random seed",
    "tip.SEED": "Seed of the random draws (bootstrap, randomisation test, permutations of "
                "Moran's I): the same seed gives the same values (default 0, as the "
                "command line's --seed).",
    "param.DISTRICTS": "Districts for the between/within split of H [optional]",
    "tip.DISTRICTS": "District polygons (e.g. CBS wijken); schools are joined by "
                     "location.",
    "param.DISTRICT_CODE": "District code field [optional; default: statcode, else "
                           "feature id]",
    "tip.DISTRICT_CODE": "The districts' code field, e.g. statcode.",
    "param.DISTRICT_SIZE": "Size of the default square districts (m)",
    "tip.DISTRICT_SIZE": "Without a district layer, H is split between squares of this "
                         "size.",
    "param.BOOTSTRAP": "Bootstrap replicates per area-year (0: none)",
    "param.BOOTSTRAP.change": "Bootstrap replicates per area-year (at least 2)",
    "tip.BOOTSTRAP": "Standard error and confidence interval of every index (se, ci_low, "
                     "ci_high fields); 1000 or more for 95% intervals.",
    "param.CI_LEVEL": "Confidence level of the intervals",
    "tip.CI_LEVEL": "e.g. 0.95 for 95% intervals.",
    "param.CLUSTER": "Resample schools (cluster bootstrap) instead of pupils",
    "tip.CLUSTER": "For schools that are a sample; the individual bootstrap (pupils) "
                   "answers how precisely these pupils measure these schools.",
    "param.INTERVAL": "Interval",
    "tip.INTERVAL": "bias_corrected (percentiles of 2 value - replicate, as R "
                    "segregation) or percentile.",
    "param.NULL_DRAWS": "Random-allocation draws per area-year (0: no test)",
    "tip.NULL_DRAWS": "Randomisation test against random allocation of the pupils "
                      "(p_value fields).",
    "param.ALTERNATIVE": "Alternative of the randomisation test",
    "tip.ALTERNATIVE": "greater: more segregated than random allocation.",
    "param.STYLE_INDEX": "Index that colours the map",
    "tip.STYLE_INDEX": "For a spatial index, its first bandwidth is shown.",
    "param.LABEL_A": "Name of group A in the pages [optional; default: its field]",
    "tip.LABEL_A": "e.g. pupils with a disadvantage background.",
    "param.LABEL_B": "Name of group B in the pages [optional; default: its field]",
    "tip.LABEL_B": "e.g. other pupils.",
    "param.LANG": "Language of the pages",
    "tip.LANG": "en: English, nl: Dutch.",
    "param.OFFLINE": "Pages work offline (embed the map library, no base map)",
    "tip.OFFLINE": "For computers without internet, e.g. CBS remote access.",
    "param.MIN_CELL": "Smallest count shown (disclosure control) [optional]",
    "tip.MIN_CELL": "Disclosure control: nothing in the pages lets anyone work out a "
    "count below it (counts rounded, shares in bands, indices to 2 decimals, audited; "
    "see the README).",
    "param.ONLY": "Only these area codes (separated by commas) [optional]",
    "tip.ONLY": "Pages for these areas only, e.g. GM0363, GM0034.",
    "param.OPEN": "Open the report when done",
    "tip.OPEN": "Opens index.html in the web browser (in the QGIS application only).",
    # outputs
    "param.OUTPUT.indices": "Segregation indices",
    "param.OUTPUT.local_measures": "Local measures",
    "param.OUTPUT.profile": "Profile",
    "param.OUTPUT.report": "Report folder",
    "param.OUTPUT.multigroup": "Multigroup indices",
    "param.OUTPUT.change": "Changes",
    "param.LOCAL_OUTPUT": "Local scores per school [optional]",
    "param.WITHIN_OUTPUT": "Decomposition per grouping [optional]",
    "param.GROUPS": "Group pupils fields (two or more)",
    "tip.GROUPS": "One field per group with its number of pupils at the school, e.g. "
                  "dutch, western, nonwestern.",
    "param.WITHIN": "Grouping field for the between/within split [optional]",
    "tip.WITHIN": "A field grouping the schools, e.g. the denomination "
                  "(DENOMINATIE_VESTIGING), a school board or a district code; M and H "
                  "are split into between and within these groupings.",
    "param.LOG_BASE": "Logarithm base of M and E",
    "tip.LOG_BASE": "Base of the information values (M, E and the M decomposition); H, "
                    "D and the exposure do not depend on it. Default: e (nats); 2 gives "
                    "bits.",
    "param.FROM_YEAR": "First year compared [optional; default: the first with a value]",
    "tip.FROM_YEAR": "The difference is the value in the last year minus the value in "
                     "this year.",
    "param.TO_YEAR": "Last year compared [optional; default: the last with a value]",
    "tip.TO_YEAR": "Also the last year of the trend.",
    "param.TREND": "Also the linear trend",
    "tip.TREND": "The least-squares slope over the years (index points a year), with "
                 "its interval; needs three years with a value.",
    "param.EXCLUSIONS": "Left out",
    "param.RESULTS": "Results (long table)",
    "param.CHART": "Profile chart",
    "param.INDEX": "Report index page",
    # choices
    "choice.area": "area",
    "choice.all": "all",
    # legends
    "legend.no_data": "no value",
    "legend.left_out": "left out / no value",
    "legend.far_below": "far below the area's share of A",
    "legend.below": "below the area's share",
    "legend.slightly_below": "slightly below the area's share",
    "legend.slightly_above": "slightly above the area's share",
    "legend.above": "above the area's share",
    "legend.far_above": "far above the area's share of A",
    "chart.title": "Multi-scale profile",
    "chart.note": "Areas with the most pupils (at most {n}); the table output holds every "
                  "area.",
    "chart.empty": "No profile values: every area was left out or undefined.",
    # messages
    "msg.cancelled": "Cancelled.",
    "msg.no_layer": "Could not load the layer of {name}.",
    "msg.area_code_needed": "Give the areas' code field (AREA_CODE) to match the "
                            "schools' area field (AREA_FIELD) with the polygons.",
    "msg.multipoint": "Schools must be single points: features {fids} have several "
                      "points.",
    "msg.no_crs": "The layer of {name} has no valid CRS; set it in the layer's "
                  "properties.",
    "msg.wrote": "Wrote {n} features.",
    "msg.left_out": "Left out ({reason}): {units} schools, {pupils} pupils.",
    "msg.within_output_needs_within": "WITHIN_OUTPUT needs WITHIN: the grouping field "
                                      "whose decomposition it holds.",
    "msg.nothing_to_compare": "Nothing to compare: every area was left out ({reasons}); "
                              "lower MIN_AREA_SIZE or MIN_UNIT_SIZE.",
}

_NL: dict[str, str] = {
    "provider": "segspatial (schoolsegregatie)",
    "group": "Schoolsegregatie",
    "alg.indices": "Segregatie-indices per gebied",
    "alg.local_measures": "Lokale maten per school",
    "alg.profile": "Profiel over schaalniveaus",
    "alg.report": "Gemeenterapport",
    "alg.multigroup": "Meer groepen tegelijk (meergroepsindices)",
    "alg.change": "Verandering in de tijd per gebied",
    "help.multigroup": (
        "<p>Segregatie van twee of meer groepen tegelijk (bijv. Nederlandse, westerse "
        "en niet-westerse leerlingen, of vijf inkomensgroepen) voor elk gebied (en "
        "jaar): Theils wederzijdse informatie M en H = M / E, de meergroeps-"
        "dissimilariteit D (Reardon &amp; Firebaugh 2002), de genormaliseerde "
        "blootstelling en de entropie E. Bij twee groepen zijn ze gelijk aan M, H, D en "
        "V voor twee groepen.</p>"
        "<p>Met een <i>groeperingsveld</i> (bijv. de denominatie van de school, een "
        "schoolbestuur of een wijk) worden M en H exact gesplitst in de segregatie "
        "tussen die groeperingen en binnen die groeperingen (tussen + binnen = totaal), "
        "als velden <i>multigroup_theil_h_between_&lt;veld&gt;</i> en "
        "<i>..._within_&lt;veld&gt;</i>; desgewenst een tabel per groepering en de "
        "lokale score van elke school (haar bijdrage aan M en H).</p>"
        "<p><b>Uitvoer</b>: de gebiedsvlakken met een veld per index, gekleurd op de "
        "vaste schaal van het rapport, en een tabel van alles wat is weggelaten, met de "
        "reden. Desgewenst bootstrap-intervallen en een randomisatietoets "
        "(geavanceerde parameters).</p>"
        "<p>Dezelfde berekening als <code>segspatial indices --groups ... --within "
        "...</code> en <code>segspatial.multigroup_segregation</code>.</p>"),
    "help.change": (
        "<p>Voor elk gebied en elke index: het verschil tussen twee jaren (standaard: "
        "het eerste en het laatste jaar met een waarde) en de lineaire trend over de "
        "jaren, met bootstrap-betrouwbaarheidsintervallen en p-waarden. De richting is "
        "<i>rising</i> (stijgend) of <i>falling</i> (dalend) alleen als het interval nul "
        "uitsluit, anders <i>no_clear_change</i> (geen duidelijke verandering).</p>"
        "<p>De scholen hebben een jaarveld nodig (een punt per school per jaar).</p>"
        "<p><b>Uitvoer</b>: een tabelrij per gebied, index en statistiek (verschil, "
        "trend), en een tabel van alles wat is weggelaten, met de reden.</p>"
        "<p>Dezelfde berekening als <code>segspatial change INPUT --unit ...</code> en "
        "<code>segspatial.inference.infer(..., change=True)</code>.</p>"),
    "help.indices": (
        "<p>Berekent de segregatie-indices voor elk gebied (en jaar) uit een puntlaag "
        "met scholen en hun leerlingen in twee groepen: de dissimilariteitsindex D, de "
        "gestandaardiseerde D* van Carrington &amp; Troske, Theils H en de "
        "correlatie-index V (en elke index die een plug-in toevoegt), plus de "
        "ruimtelijke indices van Reardon &amp; O'Sullivan (2004) per bandbreedte, "
        "Moran's I en Morrills D. Desgewenst ook bootstrap-standaardfouten en "
        "-betrouwbaarheidsintervallen en een randomisatietoets tegen een toevallige "
        "verdeling (geavanceerde parameters).</p>"
        "<p>De gebieden zijn de vlakken van een gebiedslaag (elke school hoort bij het "
        "vlak waarin ze ligt, of het dichtstbijzijnde binnen de maximale afstand) of de "
        "codes in een gebiedsveld van de scholen (dan gekoppeld aan de vlakken via hun "
        "codeveld).</p>"
        "<p><b>Uitvoer</b>: de gebiedsvlakken met een veld per index (ruimtelijke "
        "indices als <i>spatial_dissimilarity_gaussian_1000</i>), gekleurd op de vaste "
        "schaal van het rapport van 0 (donkergroen) tot 0,8 (donkerrood), en een tabel "
        "van alles wat is weggelaten, met de reden. Afstanden worden berekend in het "
        "CRS voor afstanden (geprojecteerd, meters); een geografisch CRS wordt "
        "geweigerd.</p>"
        "<p>Dezelfde berekening als <code>segspatial indices</code> en "
        "<code>segspatial.spatial.spatial_segregation</code>.</p>"),
    "help.local_measures": (
        "<p>Voor elke school: haar aandeel groep A (<i>p</i>), het aandeel in haar "
        "omgeving (<i>p_local</i>, met een kernfunctie gewogen over de scholen eromheen), "
        "het verschil <i>p &minus; p_local</i> (hoe anders ze is dan haar omgeving), het "
        "aandeel in haar gebied (<i>p_area</i>) en haar bijdrage aan D en aan de "
        "ruimtelijke D.</p>"
        "<p><b>Uitvoer</b>: de schoolpunten met deze velden, gekleurd op een "
        "tweezijdige schaal rond het aandeel van het eigen gebied (blauw: minder groep A "
        "dan het gebied; rood: meer). Scholen die de filters weglaten houden lege velden "
        "en zijn grijs.</p>"
        "<p>Dezelfde berekening als <code>segspatial local</code> en "
        "<code>segspatial.spatial.local_measures</code>.</p>"),
    "help.profile": (
        "<p>De ruimtelijke D en H van elk gebied over een reeks bandbreedtes (een "
        "segregatieprofiel, Reardon e.a. 2008): een waarde die snel daalt met de "
        "bandbreedte wijst op segregatie tussen naburige scholen; een vlakke lijn op "
        "segregatie tussen delen van de gemeente.</p>"
        "<p><b>Uitvoer</b>: een tabel (gebied, jaar, index, bandbreedte, waarde) en een "
        "HTML-pagina met de profielen van de gebieden met de meeste leerlingen "
        "(hoogstens {max_chart_areas}), te openen in de resultatenviewer.</p>"
        "<p>Dezelfde berekening als <code>segspatial.spatial.multiscale_profile</code>."
        "</p>"),
    "help.report": (
        "<p>Schrijft het HTML-rapport: een indexpagina met een kaart en een sorteerbare "
        "tabel van alle gemeenten, en per gemeente een pagina met de indices, trends, "
        "schoolkaarten, de ruimtelijke analyse met een uitleg in gewone woorden, wat er "
        "is weggelaten en de methode. De pagina's staan op zichzelf, elke naam wordt "
        "ge-escaped en opnieuw draaien geeft dezelfde pagina's.</p>"
        "<p>Met <i>kleinste getoonde aantal</i> (onthullingsbeveiliging) staat nergens "
        "in de pagina's een aantal leerlingen onder die grens.</p>"
        "<p>Dezelfde berekening als <code>segspatial report</code>.</p>"),
    "param.SCHOOLS": "Scholen (puntlaag)",
    "tip.SCHOOLS": "Een punt per school (per jaar), met de leerlingen van de twee "
                   "groepen.",
    "param.UNIT": "Veld met schoolcode [optioneel; standaard: object-id]",
    "tip.UNIT": "Herkent een school over de jaren heen; zonder dit veld is elk object "
                "een school.",
    "param.GROUP_A": "Veld met leerlingen in groep A",
    "tip.GROUP_A": "Aantal leerlingen van groep A op de school (een geheel getal >= 0).",
    "param.GROUP_B": "Veld met leerlingen in groep B",
    "tip.GROUP_B": "Aantal leerlingen van groep B op de school.",
    "param.TOTAL": "Veld met alle leerlingen [optioneel]",
    "tip.TOTAL": "Alle leerlingen van de school, ook die in geen van beide groepen "
                 "(voor de groottefilters); standaard: groep A + groep B.",
    "param.YEAR": "Veld met jaar [optioneel]",
    "tip.YEAR": "Jaar van de aantallen; zonder dit veld vormen alle objecten één jaar.",
    "param.NAME": "Veld met schoolnaam [optioneel]",
    "tip.NAME": "Staat op de schoolkaarten van het rapport.",
    "param.AREA_FIELD": "Veld met gebiedscode van de scholen [optioneel]",
    "tip.AREA_FIELD": "De code van het gebied (de gemeente) van elke school. Zonder dit "
                      "veld hoort elke school bij het gebiedsvlak waarin ze ligt.",
    "param.AREAS": "Gebieden (vlakkenlaag)",
    "tip.AREAS": "Gebiedsvlakken, bijv. CBS-gemeenten; de uitvoer heeft een object per "
                 "vlak (per jaar).",
    "param.AREA_CODE": "Veld met gebiedscode van de gebieden [optioneel; standaard: "
                       "statcode, anders object-id]",
    "tip.AREA_CODE": "Komt overeen met het gebiedsveld van de scholen, bijv. statcode "
                     "(GM0363); standaard statcode als de laag dat veld heeft, anders het "
                     "object-id.",
    "param.AREA_NAME": "Veld met gebiedsnaam [optioneel]",
    "tip.AREA_NAME": "Gebiedsnamen voor grafieken en pagina's; standaard statnaam (of "
                     "name, naam) als de laag dat veld heeft.",
    "param.SNAP": "Maximale afstand tot het dichtstbijzijnde gebied (m)",
    "tip.SNAP": "Een school buiten alle vlakken gaat naar het dichtstbijzijnde vlak "
                "binnen deze afstand; verder weg wordt ze weggelaten en geteld (0: niet).",
    "param.DISTANCE_CRS": "CRS voor afstanden (geprojecteerd, meters)",
    "tip.DISTANCE_CRS": "Alle afstanden worden in dit CRS berekend; een geografisch CRS "
                        "(graden) wordt geweigerd. De lagen mogen elk CRS hebben.",
    "param.MIN_UNIT_SIZE": "Kleinste school (leerlingen; 0: geen filter)",
    "tip.MIN_UNIT_SIZE": "Scholen met minder leerlingen worden weggelaten (het filter "
                         "van het rapport).",
    "param.MIN_AREA_SIZE": "Kleinste gebied (gemiddeld leerlingen per jaar; 0: geen "
                           "filter)",
    "tip.MIN_AREA_SIZE": "Gebieden met gemiddeld minder leerlingen per jaar worden "
                         "weggelaten (het filter van het rapport).",
    "param.INDICES": "Indices",
    "tip.INDICES": "Niet-ruimtelijke indices om te berekenen; indices uit plug-ins "
                   "verschijnen hier zodra ze geïnstalleerd zijn.",
    "param.BANDWIDTHS": "Bandbreedtes (m, gescheiden door komma's; leeg: geen ruimtelijke "
                        "indices)",
    "tip.BANDWIDTHS": "Bandbreedtes van de kernfunctie voor de omgevingen, in meters.",
    "param.BANDWIDTH": "Bandbreedte (m)",
    "tip.BANDWIDTH": "Bandbreedte van de kernfunctie voor de omgevingen, in meters.",
    "param.KERNEL": "Kernfunctie",
    "tip.KERNEL": "Afstandskern: gaussian (afgekapt op 5 bandbreedtes), biweight of "
                  "boxcar.",
    "param.K": "k dichtstbijzijnde scholen (in plaats van de bandbreedte) [optioneel]",
    "tip.K": "Omgeving van de k dichtstbijzijnde scholen (elk gewicht 1).",
    "param.CONTEXT": "Buren uit",
    "tip.CONTEXT": "area: alleen scholen van hetzelfde gebied en jaar; all: ook scholen "
                   "over de gebiedsgrens tellen mee (de indices blijven per gebied).",
    "param.SPATIAL_INDICES": "Ruimtelijke indices [optioneel; leeg: de standaardset]",
    "tip.SPATIAL_INDICES": "Standaard: ruimtelijke D en H, Moran's I en de p-waarde, "
                           "Morrills D (en de splitsing van H met wijken).",
    "param.PERMUTATIONS": "Permutaties voor de p-waarde van Moran's I (0: geen)",
    "tip.PERMUTATIONS": "Willekeurige permutaties van de aandelen van de scholen binnen "
                        "elk gebied en jaar.",
    "param.SEED": "Startwaarde van de toevalsgenerator",
    "tip.SEED": "Startwaarde van de trekkingen (bootstrap, randomisatietoets, permutaties "
                "van Moran's I): dezelfde startwaarde geeft dezelfde waarden (standaard 0, "
                "als --seed op de opdrachtregel).",
    "param.DISTRICTS": "Wijken voor de splitsing van H tussen/binnen [optioneel]",
    "tip.DISTRICTS": "Wijkvlakken (bijv. CBS-wijken); scholen worden op ligging "
                     "gekoppeld.",
    "param.DISTRICT_CODE": "Veld met wijkcode [optioneel; standaard: statcode, anders "
                           "object-id]",
    "tip.DISTRICT_CODE": "Het codeveld van de wijken, bijv. statcode.",
    "param.DISTRICT_SIZE": "Grootte van de standaardwijken (vierkanten, m)",
    "tip.DISTRICT_SIZE": "Zonder wijkenlaag wordt H gesplitst over vierkanten van deze "
                         "grootte.",
    "param.BOOTSTRAP": "Bootstrap-herhalingen per gebied en jaar (0: geen)",
    "param.BOOTSTRAP.change": "Bootstrap-herhalingen per gebied en jaar (minstens 2)",
    "tip.BOOTSTRAP": "Standaardfout en betrouwbaarheidsinterval van elke index (velden "
                     "se, ci_low, ci_high); 1000 of meer voor 95%-intervallen.",
    "param.CI_LEVEL": "Betrouwbaarheidsniveau van de intervallen",
    "tip.CI_LEVEL": "bijv. 0,95 voor 95%-intervallen.",
    "param.CLUSTER": "Scholen trekken (clusterbootstrap) in plaats van leerlingen",
    "tip.CLUSTER": "Voor scholen die een steekproef zijn; de individuele bootstrap "
                   "(leerlingen) zegt hoe precies deze leerlingen deze scholen meten.",
    "param.INTERVAL": "Interval",
    "tip.INTERVAL": "bias_corrected (percentielen van 2 waarde - herhaling, zoals R "
                    "segregation) of percentile.",
    "param.NULL_DRAWS": "Trekkingen bij toevallige verdeling per gebied en jaar (0: geen "
                        "toets)",
    "tip.NULL_DRAWS": "Randomisatietoets tegen een toevallige verdeling van de leerlingen "
                      "(velden p_value).",
    "param.ALTERNATIVE": "Alternatief van de randomisatietoets",
    "tip.ALTERNATIVE": "greater: meer gesegregeerd dan bij toevallige verdeling.",
    "param.STYLE_INDEX": "Index die de kaart kleurt",
    "tip.STYLE_INDEX": "Bij een ruimtelijke index wordt de eerste bandbreedte getoond.",
    "param.LABEL_A": "Naam van groep A op de pagina's [optioneel; standaard: het veld]",
    "tip.LABEL_A": "bijv. leerlingen met een achterstandsachtergrond.",
    "param.LABEL_B": "Naam van groep B op de pagina's [optioneel; standaard: het veld]",
    "tip.LABEL_B": "bijv. overige leerlingen.",
    "param.LANG": "Taal van de pagina's",
    "tip.LANG": "en: Engels, nl: Nederlands.",
    "param.OFFLINE": "Pagina's werken offline (kaartbibliotheek ingebed, geen "
                     "achtergrondkaart)",
    "tip.OFFLINE": "Voor computers zonder internet, bijv. de remote access-omgeving van "
                   "het CBS.",
    "param.MIN_CELL": "Kleinste getoonde aantal (onthullingsbeveiliging) [optioneel]",
    "tip.MIN_CELL": "Onthullingsbeheersing: niets op de pagina's maakt een aantal onder "
    "deze grens te achterhalen (aantallen afgerond, aandelen in klassen, indices op 2 "
    "decimalen, gecontroleerd; zie de README).",
    "param.ONLY": "Alleen deze gebiedscodes (gescheiden door komma's) [optioneel]",
    "tip.ONLY": "Alleen pagina's voor deze gebieden, bijv. GM0363, GM0034.",
    "param.OPEN": "Rapport openen na afloop",
    "tip.OPEN": "Opent index.html in de webbrowser (alleen in de QGIS-toepassing).",
    "param.OUTPUT.indices": "Segregatie-indices",
    "param.OUTPUT.local_measures": "Lokale maten",
    "param.OUTPUT.profile": "Profiel",
    "param.OUTPUT.report": "Rapportmap",
    "param.OUTPUT.multigroup": "Meergroepsindices",
    "param.OUTPUT.change": "Veranderingen",
    "param.LOCAL_OUTPUT": "Lokale scores per school [optioneel]",
    "param.WITHIN_OUTPUT": "Uitsplitsing per groepering [optioneel]",
    "param.GROUPS": "Velden met leerlingen per groep (twee of meer)",
    "tip.GROUPS": "Een veld per groep met het aantal leerlingen op de school, bijv. "
                  "nederlands, westers, nietwesters.",
    "param.WITHIN": "Groeperingsveld voor de splitsing tussen/binnen [optioneel]",
    "tip.WITHIN": "Een veld dat de scholen groepeert, bijv. de denominatie "
                  "(DENOMINATIE_VESTIGING), een schoolbestuur of een wijkcode; M en H "
                  "worden gesplitst in tussen en binnen deze groeperingen.",
    "param.LOG_BASE": "Grondtal van de logaritme van M en E",
    "tip.LOG_BASE": "Grondtal van de informatiewaarden (M, E en de splitsing van M); H, "
                    "D en de blootstelling hangen er niet van af. Standaard: e (nats); 2 "
                    "geeft bits.",
    "param.FROM_YEAR": "Eerste vergeleken jaar [optioneel; standaard: het eerste met "
                       "een waarde]",
    "tip.FROM_YEAR": "Het verschil is de waarde in het laatste jaar min de waarde in dit "
                     "jaar.",
    "param.TO_YEAR": "Laatste vergeleken jaar [optioneel; standaard: het laatste met "
                     "een waarde]",
    "tip.TO_YEAR": "Ook het laatste jaar van de trend.",
    "param.TREND": "Ook de lineaire trend",
    "tip.TREND": "De kleinste-kwadratenhelling over de jaren (indexpunten per jaar), met "
                 "haar interval; vraagt drie jaren met een waarde.",
    "param.EXCLUSIONS": "Weggelaten",
    "param.RESULTS": "Resultaten (lange tabel)",
    "param.CHART": "Profielgrafiek",
    "param.INDEX": "Indexpagina van het rapport",
    "choice.area": "gebied",
    "choice.all": "alle",
    "legend.no_data": "geen waarde",
    "legend.left_out": "weggelaten / geen waarde",
    "legend.far_below": "ver onder het aandeel A van het gebied",
    "legend.below": "onder het aandeel van het gebied",
    "legend.slightly_below": "iets onder het aandeel van het gebied",
    "legend.slightly_above": "iets boven het aandeel van het gebied",
    "legend.above": "boven het aandeel van het gebied",
    "legend.far_above": "ver boven het aandeel A van het gebied",
    "chart.title": "Profiel over schaalniveaus",
    "chart.note": "Gebieden met de meeste leerlingen (hoogstens {n}); de tabel bevat elk "
                  "gebied.",
    "chart.empty": "Geen profielwaarden: elk gebied is weggelaten of ongedefinieerd.",
    "msg.cancelled": "Geannuleerd.",
    "msg.no_layer": "Kon de laag van {name} niet laden.",
    "msg.area_code_needed": "Geef het codeveld van de gebieden (AREA_CODE) om het "
                            "gebiedsveld van de scholen (AREA_FIELD) aan de vlakken te "
                            "koppelen.",
    "msg.multipoint": "Scholen moeten enkele punten zijn: objecten {fids} hebben meer "
                      "punten.",
    "msg.no_crs": "De laag van {name} heeft geen geldig CRS; stel het in bij de "
                  "eigenschappen van de laag.",
    "msg.wrote": "{n} objecten geschreven.",
    "msg.left_out": "Weggelaten ({reason}): {units} scholen, {pupils} leerlingen.",
    "msg.within_output_needs_within": "WITHIN_OUTPUT vraagt WITHIN: het "
                                      "groeperingsveld waarvan het de uitsplitsing bevat.",
    "msg.nothing_to_compare": "Niets te vergelijken: elk gebied is weggelaten "
                              "({reasons}); verlaag MIN_AREA_SIZE of MIN_UNIT_SIZE.",
}

#: Language code -> catalogue.
TEXTS: dict[str, dict[str, str]] = {"en": _EN, "nl": _NL}


def language(locale: str | None) -> str:
    """The catalogue language for a QGIS locale such as ``"nl_NL"`` (default English)."""
    code = (locale or "").replace("-", "_").split("_")[0].lower()
    return code if code in TEXTS else LANGUAGES[0]


def text(key: str, lang: str = "en", **values: object) -> str:
    """The text for ``key`` in ``lang`` (English when missing), formatted with ``values``.

    Raises
    ------
    KeyError
        If ``key`` is in no catalogue (a programming error).
    """
    template = TEXTS.get(lang, _EN).get(key)
    if template is None:
        template = _EN[key]
    return template.format(**values) if values else template
