"""Every Norwegian (bokmål) text a section leader or LAMU reads, in one catalog.

Code refers to these by key; nothing user-facing in Norwegian is written elsewhere.
Excel limits that apply here (checked by a test): input/error titles <= 32 characters,
input/error messages <= 255 characters.
"""

MONTHS = ("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des")
MONTHS_LONG = (
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
)

SHEET = {
    "guide": "Veiledning",
    "actions": "Handlingsplan",
    "wheel": "Årshjul",
    "godbht": "God BHT",
    "annual": "Årsrapport",
    "identity": "_hmsxl",
}

# Column and item labels with their input messages: (label, input message).
# A "*" after a label marks a required field.
COLUMN = {
    "actions": {
        "category": ("Kategori", "Velg kategori fra listen."),
        "challenge": ("Arbeidsmiljøutfordring (hva)", "Beskriv utfordringen konkret: hva er problemet, og hvor?"),
        "purpose": ("Hvorfor", "Hva skal tiltaket oppnå? Hvilket forhold skal bli bedre?"),
        "measure": ("Tiltak (hvordan)", "Beskriv tiltaket: hva skal gjøres, og hvordan?"),
        "priority": ("Prioritet", "Velg prioritet. Vurder hvor ofte det skjer, hvor mange som berøres og hvor alvorlig det er."),
        "responsible": ("Ansvarlig (hvem)", "Hvem har ansvar for å gjennomføre tiltaket? Navn, rolle eller gruppe."),
        "deadline": ("Frist", "Skriv en dato, f.eks. 15.09.2026. Fristen for å iverksette tiltaket."),
        "status": ("Status", "Velg status fra listen."),
        "next_review": ("Neste evaluering", "Dato for neste evaluering eller oppfølgingsmøte, f.eks. 01.11.2026."),
        "comment": ("Kommentar", "Valgfri kommentar."),
    },
    "wheel": {
        "key": ("Nøkkel", ""),
        "activity": ("Aktivitet", ""),
        "who": ("Hvem", ""),
        "period": ("Når", ""),
        "due": ("Frist", ""),
        "planned": ("Planlagt dato", "Når planlegger dere å gjennomføre aktiviteten? Skriv en dato, f.eks. 10.06.2026."),
        "done_date": ("Gjennomført dato", "Datoen aktiviteten ble gjennomført, f.eks. 24.06.2026."),
        "status": ("Status", "Velg status fra listen."),
        "comment": ("Kommentar", "Valgfri kommentar, f.eks. funn eller hvorfor aktiviteten ble utsatt."),
    },
    "godbht": {
        "key": ("Nøkkel", ""),
        "group": ("Gruppe", ""),
        "number": ("Nr", ""),
        "element": ("Element", ""),
        "level_bht": ("BHTs evne til å bidra (1–4)", "Nivå 1–4: 1 ikke startet, 2 noe framgang, 3 betydelig framgang, 4 fullt oppnådd."),
        "level_org": ("Virksomhetens evne til å etterspørre og legge til rette (1–4)", "Nivå 1–4: 1 ikke startet, 2 noe framgang, 3 betydelig framgang, 4 fullt oppnådd."),
        "notes": ("Egne notater", "Stikkord som begrunner nivået."),
        "improvement": ("Forslag til forbedring", "Stikkord om hva som kan gjøres for å bli bedre."),
    },
    "annual": {
        "key": ("Nøkkel", ""),
        "part": ("Del", ""),
        "question": ("Spørsmål", ""),
        "answer": ("Svar", ""),
        "comment": ("Kommentar", "Utdyp gjerne svaret her."),
    },
}

# Labels a column had before, per sheet: a workbook sent with an older label still reads
# back. When a label above changes, add the old one here.
COLUMN_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "actions": {},
    "wheel": {},
    "godbht": {},
    "annual": {},
}

# Årsrapport questions: key -> (part, question, input message for the answer cell).
ANNUAL_PARTS = {
    "activities": "A. HMS-aktiviteter i året",
    "discussion": "B. Årlig arbeidsmiljødrøftelse",
}
ANNUAL = {
    "safety_round_held": ("activities", "Er årets vernerunde gjennomført?", "Velg Ja, Delvis, Nei eller Ikke aktuelt."),
    "safety_round_date": ("activities", "Dato for vernerunden", "Skriv datoen, f.eks. 24.06.2026."),
    "fire_rounds": ("activities", "Antall gjennomførte brannvernrunder i året", "Skriv et helt tall, f.eks. 4 (én per kvartal)."),
    "ark_followup": ("activities", "Er ARK-tiltakene fulgt opp?", "Velg Ja, Delvis, Nei eller Ikke aktuelt. Utdyp i kommentarfeltet."),
    "employees": ("activities", "Antall ansatte i seksjonen", "Skriv et helt tall."),
    "appraisals": ("activities", "Antall gjennomførte medarbeidersamtaler", "Skriv et helt tall."),
    "incidents": ("activities", "Antall meldte uønskede hendelser (avvik) i året", "Skriv et helt tall. Hendelsene meldes i avvikssystemet."),
    "other_activities": ("activities", "Andre HMS-relaterte aktiviteter og tiltak", "Beskriv kort andre HMS-aktiviteter seksjonen har gjennomført."),
    "bht_help": ("activities", "Bistand fra bedriftshelsetjenesten (BHT)", "Hva har BHT bistått med i år?"),
    "focus_next": ("discussion", "Hva skal være arbeidsmiljøfokuset neste år?", "Beskriv seksjonens viktigste fokusområde for neste år."),
    "cooperation": ("discussion", "Hvordan skal samarbeidet om dette foregå?", "Hvem deltar (leder, verneombud, ansatte), og i hvilke møter?"),
    "goals": ("discussion", "Hvilke mål setter dere, og hvordan skal dere nå dem?", "Skriv målene og hvordan dere skal nå dem."),
    "last_goals_reached": ("discussion", "Ble fjorårets mål nådd?", "Velg Ja, Delvis, Nei eller Ikke aktuelt. Utdyp i kommentarfeltet."),
    "plan_review": ("discussion", "Hva hadde dere planlagt, og virket tiltakene?", "Status på handlingsplanen: hva var planlagt, hvorfor, og fikk tiltaket ønsket virkning?"),
}

YES_NO = ("Ja", "Delvis", "Nei", "Ikke aktuelt")

# The unit's lists when unit.toml does not give them. The "*_statuses" lists after the
# first of each kind say what a status means (see config.MEANING_LISTS).
DEFAULT_LISTS = {
    "categories": (
        "Fokusområde",
        "BHT-tjenester",
        "ARK-tiltak",
        "Vernerunde/brannvernrunde",
        "ROS-analyse",
        "Sykefravær og nærvær",
        "Annet",
    ),
    "priorities": ("Høy", "Middels", "Lav"),
    # Seed 001's three statuses, plus what a real plan needs: a postponed and a dropped action.
    "statuses": ("Ikke påbegynt", "Påbegynt", "Iverksatt", "Utsatt", "Avbrutt"),
    "done_statuses": ("Iverksatt", "Avbrutt"),
    "cancelled_statuses": ("Avbrutt",),
    "wheel_statuses": ("Ikke startet", "Planlagt", "Gjennomført", "Ikke aktuelt"),
    "wheel_done_statuses": ("Gjennomført",),
    "wheel_na_statuses": ("Ikke aktuelt",),
}

# God BHT (seed 003): the 15 elements in 3 groups.
GODBHT_GROUPS = {
    "org": "BHT som virksomhet",
    "customer": "Forholdet BHT–kunde",
    "services": "Tjenester",
}
GODBHT_ELEMENTS = (
    ("org", "Kompetanse og tverrfaglighet"),
    ("org", "Kvalitetssystem"),
    ("org", "Etikk"),
    ("org", "Virksomhetsplanlegging i BHT"),
    ("customer", "Kunderelasjon"),
    ("customer", "Informasjon og markedsføring"),
    ("services", "HMS-planlegging"),
    ("services", "Kartlegging og risikovurdering"),
    ("services", "Tiltak"),
    ("services", "Undervisning og rådgivning"),
    ("services", "Helsefremmende arbeidsplasser"),
    ("services", "Målrettet helseovervåkning"),
    ("services", "Arbeidsmedisinsk poliklinikk"),
    ("services", "Inkluderende arbeidsliv"),
    ("services", "Rusmidler og spilleavhengighet"),
)
GODBHT_LEVELS = {1: "Ikke startet", 2: "Noe framgang", 3: "Betydelig framgang", 4: "Fullt oppnådd"}

# Titles and short texts on the sheets.
TEXT = {
    "actions_title": "Handlingsplan for HMS {year} – {section}",
    "actions_intro": (
        "Én rad per arbeidsmiljøutfordring. Felt merket * må fylles ut. "
        "Bruk listene i cellene der de finnes. Planen er et levende dokument: oppdater status jevnlig."
    ),
    "wheel_title": "Årshjul for HMS {year} – {section}",
    "wheel_intro": (
        "Årets faste HMS-aktiviteter for seksjonen. Fyll inn planlagt dato, gjennomført dato og status. "
        "Markeringene til høyre viser når i året aktiviteten skal skje."
    ),
    "godbht_title": "God BHT – egenvurdering (Tabell 3) {year} – {section}",
    "godbht_intro": (
        "Sett nivå 1–4 for hvert element, både for BHTs evne til å bidra og for virksomhetens evne til "
        "å etterspørre og legge til rette. Vurder først hver for dere, så sammen. Målet er nivå 4 på begge."
    ),
    "godbht_levels_heading": "Nivåer",
    "godbht_chart_title": "Profil: God BHT",
    "godbht_series_bht": "BHT",
    "godbht_series_org": "Virksomheten",
    "godbht_short_bht": "BHT",
    "godbht_short_org": "virks.",
    "annual_title": "HMS-årsrapport {year} – {section}",
    "annual_intro": (
        "Svar på hvert spørsmål i kolonnen Svar. Del B følger den årlige arbeidsmiljødrøftelsen. "
        "Rapporten legges fram for LAMU."
    ),
    "required_mark": " *",
    "wheel_marker": "●",
    "fire_quarter": "{n}. kvartal",
    "period_due": "innen {date}",
    "period_range": "{start}–{end}",
    "period_quarter": "{n}. kvartal ({start}–{end})",
    "period_month": "{month}",
    "date_short": "{day}. {month}",
    "date_year": "{day}. {month} {year}",
}

# The Veiledning sheet, top to bottom. {placeholders} are filled from the unit config.
GUIDE = {
    "title": "HMS {year}: arbeidsbok for {section}",
    "for_whom": "Til: {leader}, {section} ({unit})",
    "deadline": "Frist for å sende arbeidsboka tilbake: {deadline}",
    "return": "Send den utfylte arbeidsboka som vedlegg i e-post til {advisor_name} ({advisor_email}). Filnavnet kan gjerne være det samme.",
    "steps_heading": "Slik fyller du ut",
    "steps": (
        "1. Handlingsplan: skriv én rad per arbeidsmiljøutfordring, med tiltak, ansvarlig, frist og status. Felt merket * må fylles ut.",
        "2. Årshjul: fyll inn planlagt dato, gjennomført dato og status for hver aktivitet.",
        "3. God BHT: sett nivå 1–4 for hvert av de 15 elementene, for BHT og for virksomheten.",
        "4. Årsrapport: svar på spørsmålene om årets HMS-arbeid og den årlige arbeidsmiljødrøftelsen.",
    ),
    "tips_heading": "Gode råd",
    "tips": (
        "Skriv datoer som dd.mm.åååå, f.eks. 15.09.{year}.",
        "Velg fra listene der cellen har en liste (pil ned til høyre for cellen).",
        "Du kan legge til flere rader nederst i handlingsplanen. Ikke endre overskriftene.",
        "Arkene er beskyttet slik at bare feltene som skal fylles ut kan endres. Passord trengs ikke for å fylle ut.",
        "Ikke slett arket «_hmsxl» eller endre filens oppsett: det brukes til å lese svarene automatisk.",
    ),
    "contact_heading": "Spørsmål?",
    "contact": "Kontakt HMS-rådgiver {advisor_name}, {advisor_email}{advisor_phone}.",
    "phone": ", tlf. {phone}",
    "label_unit": "Enhet",
    "label_section": "Seksjon",
    "label_leader": "Seksjonsleder",
    "label_vo": "Verneombud",
    "label_year": "År",
    "label_deadline": "Frist",
}

# Data validation: (input title, error title, error message with {allowed}).
VALIDATION = {
    "error_title": "Ugyldig verdi",
    "text": "Teksten kan være høyst {max} tegn.",
    "date": "Skriv en dato mellom {min} og {max}, f.eks. {example}.",
    "choice": "Velg en verdi fra listen.",
    "level": "Skriv et helt tall fra 1 til 4.",
    "count": "Skriv et helt tall fra {min} til {max}.",
}

# The hidden identity sheet (read by hmsxl, seen by nobody).
IDENTITY_HEADING = ("Nøkkel", "Verdi")
LIST_NAMES = {
    "categories": "Kategorier",
    "priorities": "Prioriteter",
    "statuses": "Statuser",
    "done_statuses": "Ferdig-statuser",
    "cancelled_statuses": "Avbrutt-statuser",
    "wheel_statuses": "Årshjul-statuser",
    "wheel_done_statuses": "Årshjul gjennomført-statuser",
    "wheel_na_statuses": "Årshjul ikke aktuelt-statuser",
    "yes_no": "Ja/Nei",
}

# Periods people write instead of a date, read as their last day ("vår 2026" -> 30.06.2026).
SEASONS = {"vår": (6, 30), "sommer": (8, 31), "høst": (12, 31), "vinter": (2, 29)}

SEVERITY = {"error": "Feil", "warning": "Advarsel", "info": "Merknad"}

# Problems found in a returned workbook: code -> message. {placeholders} come from the finder.
PROBLEM = {
    # values
    "required": "Feltet «{label}» må fylles ut.",
    "too_long": "Teksten er {length} tegn; høyst {max} er tillatt.",
    "not_a_date": "Ikke en dato. {rule}",
    "date_out_of_range": "Datoen {date} er utenfor tillatt område. {rule}",
    "date_from_text": "Datoen var skrevet som tekst («{text}») og er lest som {date}. Sjekk at det stemmer.",
    "date_from_period": "«{text}» er ikke en dato; den er lest som siste dag i perioden, {date}. Skriv gjerne en dato.",
    "date_from_number": "Cellen hadde mistet datoformatet; tallet er lest som datoen {date}.",
    "choice_corrected": "«{text}» er lest som «{result}» (skrivemåten var litt annerledes).",
    "not_in_list": "«{text}» er ikke et gyldig valg. Tillatt: {allowed}.",
    "not_in_list_suggest": "«{text}» er ikke et gyldig valg. Mente du «{suggestion}»? Tillatt: {allowed}.",
    "not_a_number": "Ikke et tall. {rule}",
    "number_from_text": "Tallet var skrevet som tekst («{text}») og er lest som {result}.",
    "not_whole": "Ikke et helt tall. {rule}",
    "out_of_range": "{result} er utenfor tillatt område. {rule}",
    "overdue": "Fristen {deadline} er passert, og tiltaket har status «{status}».",
    "wheel_not_done": "Fristen {deadline} er passert, og aktiviteten er ikke markert som gjennomført.",
    # structure
    "identity_missing": "Arbeidsboka mangler det skjulte arket «_hmsxl». Seksjonen er funnet ut fra {how}.",
    "identity_unknown": "Arbeidsboka mangler det skjulte arket «_hmsxl», og seksjonen kunne ikke finnes.",
    "template_too_old": "Arbeidsboka er laget med malversjon {found}; gjeldende er {current}. Den er lest så godt det går.",
    "template_too_new": "Arbeidsboka er laget med en nyere malversjon ({found}) enn denne versjonen av hmsxl kan lese ({current}).",
    "wrong_unit": "Arbeidsboka gjelder enheten «{found}», ikke «{expected}».",
    "wrong_year": "Arbeidsboka gjelder året {found}, ikke {expected}.",
    "unknown_section": "Seksjonen «{found}» finnes ikke i enhetens oppsett.",
    "sheet_missing": "Arket «{sheet_name}» mangler.",
    "sheet_renamed": "Arket «{sheet_name}» er funnet under navnet «{found}».",
    "unknown_sheet": "Arket «{sheet_name}» hører ikke til arbeidsboka; de {count} utfylte cellene er ikke lest.",
    "header_missing": "Fant ikke overskriftsraden i arket.",
    "column_missing": "Kolonnen «{column}» mangler.",
    "unknown_column": "Kolonnen «{column}» hører ikke til skjemaet; de {count} verdiene i den er ikke lest.",
    "row_unknown": "Raden hører ikke til skjemaet (fant ikke «{key}»); innholdet er ikke lest: {values}.",
    "row_missing": "Raden «{name}» mangler.",
    "row_duplicate": "Raden «{name}» finnes flere ganger; bare den første er lest.",
    "value_outside_table": "Cellen ligger utenfor tabellen og er ikke lest: «{shown}».",
    "too_many_rows": "Arket har {count} rader; bare de første {max} er lest.",
    "optional_column_missing": "Kolonnen «{column}» mangler.",
    "identity_bad_value": "Det skjulte arket «_hmsxl» har en ugyldig verdi for {key}: «{found}».",
    "godbht_partial": "God BHT er bare delvis utfylt: {filled} av {total} nivåer. Snittet for seksjonen vises ikke i rapporten før minst halvparten er fylt ut.",
    "godbht_empty": "God BHT er ikke fylt ut.",
    "row_rejected": "Raden er ikke med i tabellen fordi filen ikke ble brukt ({reason}): {values}",
    "file_unreadable": "{reason}",
    "text_cut": "Teksten er {length} tegn lang, men en celle i Excel rommer {limit}. Den er avkortet i rapporten; "
                "hele teksten står i kildefila.",
    "far_cells": "{count} celle(r) med innhold langt utenfor det en HMS-arbeidsbok bruker (høyst {max_cell}) er ikke lest; den første er {first}.",
    "year_invalid": "Identitetsarket har et ugyldig år ({found}); en arbeidsbok gjelder et år mellom {min} og {max}.",
}

# Words in problem messages.
PROBLEM_WORDS = {
    "from_title": "tittelen («{name}»)",
    "over": "over {n}",
    "empty_status": "tom",
}

# Reasons a file cannot be read at all (one line each; {name} is the file name).
UNREADABLE = {
    "missing": "finnes ikke",
    "folder": "er en mappe, ikke en fil",
    "empty_folder": "er en mappe uten noen filer å lese",
    "broken_link": "er en snarvei (symbolsk lenke) til noe som ikke finnes",
    "link_loop": "er en snarvei (symbolsk lenke) som går i ring eller til en mappe som allerede er lest",
    "folder_unreadable": "er en mappe som ikke kan leses ({detail}); filene i den er ikke med",
    "not_regular": "er {what}, ikke en vanlig fil",
    "empty": "er tom (0 byte)",
    "too_large": "er for stor ({size} MB; høyst {max} MB)",
    "pdf": "er en PDF, ikke et regneark",
    "word": "er et Word-dokument, ikke et regneark",
    "powerpoint": "er en PowerPoint-fil, ikke et regneark",
    "not_spreadsheet": "er ikke et regneark (xlsx, xlsm, xls eller ods)",
    "truncated": "er skadet eller ufullstendig (zip-arkivet kan ikke leses)",
    "truncated_ole": "er skadet eller ufullstendig (xls-filen kan ikke leses)",
    "zip_bomb": "pakker ut til {size} MB, langt mer enn en HMS-arbeidsbok kan være (mulig zip-bombe)",
    "too_many_parts": "består av {count} deler; et regneark har noen titalls, og høyst {max} leses (mulig zip-bombe)",
    "size_lie": "er skadet eller manipulert: delen {part} pakker ut til mer eller mindre enn de {declared} bytene den oppgir",
    "duplicate_part": "er skadet eller manipulert: delen {part} finnes to ganger, og det er uklart hvilken som gjelder",
    "compression": "bruker en komprimering (metode {method}) som regneark ikke bruker; lagre filen på nytt i Excel eller LibreOffice",
    "archive_too_many": "er et zip-arkiv med {count} filer; høyst {max} pakkes ut (mulig zip-bombe)",
    "zip_encrypted": "er kryptert i zip-arkivet; oppgi passordet med --password, eller pakk ut filen og send den uten kryptering",
    "zip_wrong_password": "er kryptert i zip-arkivet, og passordet var feil",
    "part_encrypted": "har en zip-kryptert del ({part}), som regneark aldri har; lagre filen på nytt uten kryptering",
    "entity_bomb": "inneholder XML med DOCTYPE/ENTITY-definisjoner, som et regneark aldri har (mulig XML-bombe)",
    "bad_reference": "er skadet: arket «{sheet}» har en ugyldig cellereferanse («{ref}»)",
    "bad_count": "er skadet eller manipulert: {part} oppgir {count} tekster, langt flere enn delen kan inneholde",
    "far_cell": "har innhold i celle {cell} i arket «{sheet}», langt utenfor det en HMS-arbeidsbok bruker (høyst {max_cell}); slett innholdet der og lagre filen på nytt",
    "encrypted": "er passordbeskyttet; oppgi passordet med --password",
    "wrong_password": "er passordbeskyttet, og passordet var feil",
    "encrypted_unsupported": "er passordbeskyttet med en kryptering hmsxl ikke kan åpne ({detail}); lagre filen på nytt uten passord, eller som xlsx med passord",
    "encrypted_ods": "er en passordbeskyttet ODS-fil, som hmsxl ikke kan åpne; lagre den på nytt uten passord, eller som xlsx med passord og bruk --password",
    "unreadable": "kan ikke leses som regneark ({detail})",
    "no_sheets": "har ingen av arkene i en HMS-arbeidsbok",
    "reader_crashed": "fikk leseren til å stoppe ({detail}); filen er trolig skadet",
    "reader_memory": "krever mer enn {max} MB minne å lese; filen er trolig skadet eller manipulert",
    "reader_timeout": "tok mer enn {max} sekunder å lese; filen er trolig skadet eller manipulert",
}

# What an annotated copy is, when it is not a plain copy of the input.
ANNOTATED = {
    "converted": "Kopien er en xlsx-fil med verdiene fra {kind}-filen; formatering og nedtrekkslister følger ikke med.",
    "encrypted": "Kopien har samme passord som originalen.",
}

# The detail of UNREADABLE["reader_crashed"].
UNREADABLE_DETAIL = {
    "signal": "signal {n}",
    "exit": "avsluttet med kode {n}",
}

# What a path that is not a regular file is (for UNREADABLE["not_regular"]).
SPECIAL_FILE = {
    "fifo": "en navngitt rørledning (FIFO)",
    "device": "en enhetsfil",
    "socket": "en socket",
    "other": "en spesialfil",
}

# The consolidated report for LAMU.
REPORT_SHEETS = {
    "overview": "Oversikt",
    "actions": "Handlingsplan",
    "overdue": "Forfalt",
    "wheel": "Årshjul",
    "wheel_table": "Årshjul-aktiviteter",
    "godbht": "God BHT",
    "godbht_table": "God BHT per seksjon",
    "annual": "Årsrapport",
    "problems": "Problemer",
    "missing": "Mangler",
    "sources": "Kilder",
}
REPORT = {
    "title": "HMS-rapport {year} – {unit}",
    "title_no_unit": "HMS-rapport",
    "subtitle": "Samlet fra {files} filer for {answered} av {sections} seksjoner. Dato for forfall: {today}.",
    "reconciliation": "Avstemming: rader lest = rader i rapporten + rader ikke brukt",
    "rows_read": "Rader lest",
    "rows_reported": "Rader i rapporten",
    "rows_rejected": "Rader ikke brukt (se Kilder og Problemer)",
    "balanced": "Stemmer",
    "not_balanced": "STEMMER IKKE",
    "yes": "Ja",
    "no": "Nei",
    "actions_table_title": "Samlet handlingsplan",
    "wheel_table_title": "Årshjul: hver aktivitet per seksjon, med datoer og kommentarer",
    "godbht_table_title": "God BHT: nivåer, notater og forslag til forbedring per seksjon",
    "table": "Tabell",
    "godbht_filled_of": "God BHT utfylt (av {n})",
    "overdue_title": "Forfalte tiltak (frist passert, ikke lukket), per ansvarlig leder",
    "wheel_title": "Årshjul: status per seksjon og aktivitet",
    "wheel_legend": "Gjennomført = en status som betyr gjennomført, eller dato for gjennomføring. Forfalt = fristen er passert uten at aktiviteten er gjennomført. Et ord i «» er seksjonens egen status, som ikke står i listen.",
    "godbht_title": "God BHT: enhetens profil (nivå 1–4)",
    "godbht_weakest": "Svakeste elementer (laveste gjennomsnitt)",
    "godbht_gaps": "Største forskjeller mellom BHT og virksomheten",
    "godbht_chart": "Enhetens profil: gjennomsnittlig nivå",
    "annual_title": "Årsrapporter: svar per seksjon",
    "problems_title": "Alle problemer funnet i de innsendte filene",
    "missing_title": "Seksjoner uten brukbart svar",
    "missing_none": "Alle seksjoner har svart.",
    "missing_no_config": "Oppgi enhetens oppsett (--config) for å se hvilke seksjoner som ikke har svart.",
    "sources_title": "Alle filer som ble lest",
    "status_used": "brukt",
    "status_duplicate": "duplikat",
    "status_rejected": "avvist",
    "status_skipped": "hoppet over",
    "reason_duplicate": "Seksjonen har sendt en nyere fil: {newer}",
    "reason_no_section": "Seksjonen kunne ikke finnes",
    "reason_wrong": "Gjelder ikke denne enheten eller dette året",
    "reason_not_spreadsheet": "Ikke et regneark",
    "reason_lock_file": "Låsefil fra Excel/LibreOffice",
    "reason_no_attachment": "E-posten har ikke et regneark som vedlegg",
    "reason_too_deep": "Ligger mer enn {max} nivåer inne i e-poster og zip-arkiver; pakkes ikke ut",
    "reason_too_much": "Vedleggene og arkivene er til sammen for store; resten pakkes ikke ut",
    "reason_same_bytes": "Samme fil også funnet som: {places}",
    "forwarded": "videresendt e-post",
    "attachment": "vedlegg",
    "wheel_done": "Gjennomført",
    "wheel_overdue": "Forfalt",
    "wheel_open": "Ikke gjennomført",
    "wheel_na": "Ikke aktuelt",
    "summary_answers": "{n} svar",
    "cut_mark": " … [avkortet]",
}
REPORT_COLUMNS = {
    "original": "Skrevet som (rettet av hmsxl)",
    "state": "Vurdering",
    "completed": "Fullført",
    "cancelled": "Avbrutt",
    "wheel_done": "Årshjul gjennomført",
    "wheel_due": "Årshjul med frist passert",
    "godbht_filled": "God BHT utfylt",
    "total": "Sum / fordeling",
    "section_id": "Seksjon-ID",
    "section": "Seksjon",
    "leader": "Leder",
    "answered": "Svart",
    "file": "Fil",
    "actions": "Tiltak",
    "done": "Iverksatt",
    "overdue": "Forfalt",
    "wheel": "Årshjul gjennomført / frist passert",
    "godbht_mean": "God BHT snitt",
    "errors": "Feil",
    "warnings": "Advarsler",
    "source": "Kilde (celle)",
    "element": "Element",
    "number": "Nr",
    "group": "Gruppe",
    "dimension": "Dimensjon",
    "mean": "Snitt",
    "min": "Min",
    "max": "Maks",
    "spread": "Spredning",
    "n": "Antall svar",
    "mean_bht": "Snitt BHT",
    "mean_org": "Snitt virksomhet",
    "gap": "Forskjell",
    "question": "Spørsmål",
    "part": "Del",
    "severity": "Alvorlighet",
    "sheet": "Ark",
    "cell": "Celle",
    "field": "Felt",
    "value": "Verdi",
    "message": "Melding",
    "code": "Kode",
    "email": "E-post",
    "name": "Navn",
    "path": "Sti",
    "sha256": "SHA-256",
    "size": "Størrelse (byte)",
    "sender": "Avsender",
    "kind": "Type",
    "unit": "Enhet",
    "year": "År",
    "status": "Status",
    "reason": "Begrunnelse",
    "saved_at": "Sist lagret",
    "days_late": "Dager over frist",
}

# E-mail to the section leaders (defaults for the [mail] templates in unit.toml).
MAIL_TEXT = {
    "subject": 'HMS {year}: arbeidsbok for {section}',
    "body": (
        'Hei {leader}!\n'
        '\n'
        'Vedlagt er HMS-arbeidsboka for {section} for {year}: handlingsplan, årshjul, God BHT-vurdering og årsrapport.\n'
        '\n'
        'Fyll ut arkene (arket «Veiledning» forklarer hvordan) og send arbeidsboka tilbake som vedlegg i svar på denne e-posten innen {deadline}.\n'
        '\n'
        'Spørsmål? Ta kontakt.\n'
        '\n'
        'Hilsen\n'
        '{advisor}\n'
        'HMS-rådgiver, {unit}\n'
    ),
    "reminder_subject": 'Påminnelse: HMS {year} for {section}',
    "reminder_body": (
        'Hei {leader}!\n'
        '\n'
        'Dette er en påminnelse om HMS-arbeidet for {section} i {year}.\n'
        '\n'
        '{details}\n'
        '\n'
        'Fristen for å sende arbeidsboka var {deadline}.\n'
        '\n'
        'Hilsen\n'
        '{advisor}\n'
        'HMS-rådgiver, {unit}\n'
    ),
    "reminder_missing": "Vi har ikke mottatt den utfylte HMS-arbeidsboka fra dere. Den er vedlagt på nytt.",
    "reminder_overdue": "Disse tiltakene i handlingsplanen har passert fristen uten å være iverksatt:",
    "reminder_overdue_line": "- {challenge}: frist {deadline}, status «{status}»",
}

# The årshjul in calendars.
CALENDAR = {
    "name": "HMS-årshjul {year} – {who}",
    "when": "Når: {period}",
    "who": "Hvem: {who}",
    "reminder": "Snart frist: {name}",
}

# The command line's own words (the rest of its output is English until it has a catalog).
CLI = {
    "reading": "Leser",
}
