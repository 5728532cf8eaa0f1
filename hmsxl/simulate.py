"""Invented but realistic answers from section leaders, for the demo, tests and benchmarks.

The actions are of the kinds the source documents name (sickness-absence follow-up,
vernerunde findings, ARK follow-up, BHT services, ROS); all people are invented.
"""

from __future__ import annotations

import datetime as dt
import random

from .config import Unit
from .fields import SuggestedPriority
from .meaning import Meaning
from .schema import ANNUAL_ITEMS, DISCUSSION_ITEMS, schema_for
from .wheel import occurrence_of, year_occurrences

ACTIONS = (
    ("Sykefravær og nærvær", "Høyt sykefravær i seksjonen siste halvår", "Redusere sykefraværet",
     "Nærværssamtaler etter modell for oppfølging; faste måltall drøftes i arbeidsmiljøgruppen"),
    ("Vernerunde/brannvernrunde", "Vernerunden fant blokkert rømningsvei ved lageret", "Sikker rømning ved brann",
     "Rydde korridoren og merke sperreområde; sjekkes på hver brannvernrunde"),
    ("ARK-tiltak", "ARK viser lav score på medvirkning", "Bedre medvirkning i beslutninger",
     "Fast sak på personalmøtet om planer og prioriteringer"),
    ("BHT-tjenester", "Mange melder om belastning i nakke og skuldre", "Forebygge belastningsskader",
     "Bestille ergonomisk kartlegging fra BHT og tilpasse arbeidsplassene"),
    ("ROS-analyse", "Alenearbeid på kveldstid i utstillingene", "Redusere risiko ved alenearbeid",
     "Rutine for innsjekk og alarm; risikovurdering oppdateres"),
    ("Fokusområde", "Uklare roller etter omorganiseringen", "Tydelig ansvar og bedre samarbeid",
     "Gjennomgang av roller og ansvar i arbeidsmiljøgruppen"),
    ("Vernerunde/brannvernrunde", "Dårlig lys og trekk i verkstedet", "Bedre fysisk arbeidsmiljø",
     "Melde behov til eiendomsavdelingen og følge opp til det er utbedret"),
    ("Sykefravær og nærvær", "Ledere kjenner ikke nærværsrutinene godt nok", "Lik oppfølging av alle ansatte",
     "Kurs i nærværsarbeid for ledere; presenteres for egne ansatte"),
    ("Annet", "Ytringsklimaet oppleves som lukket", "Godt ytringsklima",
     "Opplæring i ytringsklima for ansatte og ledere"),
    ("ARK-tiltak", "Høy arbeidsbelastning i perioder med utstillingsåpning", "Bedre balanse i arbeidsmengde",
     "Planlegge bemanning i årshjulet og fordele oppgaver tidligere"),
)
RESPONSIBLE = ("Seksjonsleder", "Arbeidsmiljøgruppen", "Leder og verneombud", "Vaktmester", "HMS-kontakt")
COMMENTS = ("", "", "Fulgt opp på HMS-møte", "Drøftet med verneombud", "Venter på tilbud fra BHT")
# The Danish cycle's own sheets: the yearly arbejdsmiljødrøftelse and the kompetenceplan.
DISCUSSION = {
    "dk_participants": "Leder, arbejdsmiljørepræsentant og to medarbejdere",
    "dk_focus": "Psykisk arbejdsmiljø og arbejdsmængde i travle perioder",
    "dk_cooperation": "Arbejdsmiljøgruppen mødes hver måned; arbejdsmiljø er fast punkt på personalemødet",
    "dk_goals": "Færre sygedage; alle tiltag i handleplanen gennemført inden fristen",
    "dk_plan_planned": "Ergonomisk gennemgang af arbejdspladserne og bedre oplæring af nye",
    "dk_plan_why": "APV'en viste mange med ondt i nakke og skuldre",
}
# What a vernerunde finds: area, finding, probability and consequence (1-5), proposal.
FINDINGS = (
    ("Lager", "Blokkert rømningsvei ved lageret", 3, 4, "Rydde rømningsveien og merke sperreområde"),
    ("Verksted", "Dårlig lys over arbeidsbenken i verkstedet", 4, 2, "Bestille ny belysning over arbeidsbenken"),
    ("Kontorlandskap", "Løse ledninger over gulvet ved skriverne", 3, 2, "Legge ledningene i kabelkanal"),
    ("Kjeller", "Manglende rekkverk i trappen til kjelleren", 2, 5, "Montere rekkverk i kjellertrappen"),
    ("Resepsjon", "Trekk fra inngangsdøren om vinteren", 4, 1, ""),
)
COMPETENCE = (
    ("Arbejdsmiljørepræsentant", "Deltage i APV og rundering", "Den lovpligtige arbejdsmiljøuddannelse",
     "Kursus hos en godkendt udbyder"),
    ("Leder", "Lede arbejdsmiljøgruppen", "Supplerende uddannelse i psykisk arbejdsmiljø", "Årlig kursusdag"),
)


def simulated_fill(unit: Unit, section_id: str, seed: int = 0, actions: int | None = None,
                   today: dt.date | None = None) -> dict:
    """A filled-in workbook's values for one section, as `generate(fills=...)` takes them.

    Activities due after `today` (default: the end of the year) are only planned.
    """
    today = today or dt.date(unit.year, 12, 31)
    rng = random.Random(f"{seed}-{section_id}")
    n = actions if actions is not None else rng.randint(4, 9)
    year = unit.year
    rows = []
    for i in range(n):
        category, challenge, purpose, measure = ACTIONS[(i + rng.randrange(len(ACTIONS))) % len(ACTIONS)]
        if category not in unit.categories:
            category = unit.categories[-1]
        deadline = dt.date(year, rng.randint(2, 12), rng.choice((1, 15)))
        status = rng.choice(unit.statuses) if deadline <= today else rng.choice(unit.statuses[:2])
        rows.append({
            "category": category,
            "challenge": challenge if i < len(ACTIONS) else f"{challenge} ({i + 1})",
            "purpose": purpose,
            "measure": measure,
            "priority": rng.choice(unit.priorities),
            "responsible": rng.choice(RESPONSIBLE),
            "deadline": deadline,
            "status": status,
            "next_review": deadline + dt.timedelta(days=60) if rng.random() < 0.6 else None,
            "comment": rng.choice(COMMENTS) or None,
        })
    wheel = {}
    meaning = set(unit.wheel_done_statuses) | set(unit.wheel_na_statuses)
    planned = next((s for s in unit.wheel_statuses[1:] if s not in meaning), unit.wheel_statuses[0])
    for o in year_occurrences(unit, section_id):
        if o.due <= today and rng.random() < 0.8:
            done = o.due - dt.timedelta(days=rng.randint(0, 20))
            wheel[o.key] = {"planned": done - dt.timedelta(days=7), "done_date": done,
                            "status": unit.wheel_done_statuses[0]}
        else:
            wheel[o.key] = {"planned": o.due, "status": planned}
    godbht = {f"e{n:02d}": {"level_bht": rng.randint(1, 4), "level_org": rng.randint(1, 4)} for n in range(1, 16)}
    godbht["e01"]["notes"] = "Vurdert sammen med verneombud"
    yes, partly, no = unit.lists()["yes_no"][:3]
    answers = {
        "safety_round_held": yes, "safety_round_date": dt.date(year, 6, rng.randint(1, 28)),
        "fire_rounds": rng.randint(2, 4), "ark_followup": rng.choice((yes, partly)),
        "employees": rng.randint(5, 40), "appraisals": rng.randint(3, 30), "incidents": rng.randint(0, 6),
        "other_activities": "Førstehjelpskurs og gjennomgang av beredskapsplan",
        "bht_help": "Ergonomisk kartlegging og bistand i en konfliktsak",
        "focus_next": rng.choice(("Psykososialt arbeidsmiljø", "Nærvær og sykefravær", "Ergonomi")),
        "cooperation": "Arbeidsmiljøgruppen møtes hver måned; saken står fast på personalmøtet",
        "goals": "Sykefravær under 5 %; alle tiltak i handlingsplanen iverksatt innen fristen",
        "last_goals_reached": rng.choice((yes, partly, no)),
        "plan_review": "De fleste tiltakene ble gjennomført; ergonomitiltaket er forsinket",
    }
    annual = {it.key: {"answer": answers[it.key]} for it in ANNUAL_ITEMS if it.key in answers}
    discussion = {**DISCUSSION, "dk_date": dt.date(year, 3, rng.randint(1, 28)),
                  "dk_last_goals_reached": rng.choice((yes, partly, no)), "dk_plan_worked": rng.choice((yes, partly)),
                  "dk_apv_current": yes}
    competence = [{"member": m, "task": t, "competence": c, "how": h, "deadline": dt.date(year, rng.randint(3, 11), 1),
                   "status": rng.choice(unit.statuses[:3])} for m, t, c, h in COMPETENCE]
    fills = {"actions": rows, "wheel": wheel, "godbht": godbht, "annual": annual,
             "discussion": {it.key: {"answer": discussion[it.key]} for it in DISCUSSION_ITEMS},
             "competence": competence}
    _rounds(unit, section_id, fills, random.Random(f"{seed}-{section_id}-rounds"), today)
    return {sheet.key: fills[sheet.key] for sheet in schema_for(unit).sheets}


def _rounds(unit: Unit, section_id: str, fills: dict, rng: random.Random, today: dt.date) -> None:
    """The rounds' records as a careful leader keeps them: findings of a vernerunde that is
    done in the årshjul (each proposal taken into the plan), a date for each brannvernrunde
    done, the factors behind some priorities (the priority they suggest), the signatures."""
    yes, _, no = unit.lists()["yes_no"][:3]
    wheel, annual, actions = fills["wheel"], fills["annual"], fills["actions"]
    done = {k for k, v in wheel.items() if v.get("done_date")}
    meaning = Meaning.of(unit.lists(), today, unit.risk)
    suggest = SuggestedPriority(factors=("frequency", "affected", "severity"))
    for row in actions:
        if rng.random() < 0.5:
            row.update(frequency=rng.randint(1, 3), affected=rng.randint(1, 3), severity=rng.randint(1, 3))
            row["priority"] = suggest.compute(row, meaning) or row["priority"]
    findings = []
    held = unit.safety_round_activity in done
    if held:
        round_day = wheel[unit.safety_round_activity]["done_date"]
        category = next((c for c in unit.categories if "vernerunde" in c.casefold()), unit.categories[-1])
        for area, finding, p, c, proposal in rng.sample(FINDINGS, rng.randint(1, 3)):
            deadline = round_day + dt.timedelta(days=rng.randint(30, 90))
            closed = deadline - dt.timedelta(days=rng.randint(1, 20)) if deadline <= today else None
            findings.append({"area": area, "finding": finding, "probability": p, "consequence": c,
                             "proposal": proposal or None, "responsible": rng.choice(RESPONSIBLE),
                             "deadline": deadline, "closed": closed})
            if proposal:
                actions.append({"category": category, "challenge": finding, "purpose": None, "measure": proposal,
                                "priority": unit.priorities[0] if p * c >= unit.risk_high else unit.priorities[-1],
                                "responsible": rng.choice(RESPONSIBLE), "deadline": deadline,
                                "status": unit.done_statuses[0] if closed else unit.statuses[0]})
        annual["safety_round_date"] = {"answer": round_day}
        annual["safety_round_participants"] = {"answer": "Leder, verneombud og en fra driften"}
    annual["safety_round_held"] = {"answer": yes if held else no}
    if not held:
        annual.pop("safety_round_date", None)
    fills["safety_round"] = findings
    fire = {}
    for key in sorted(done):
        if occurrence_of(key, unit.fire_round_activity):
            deviations = rng.random() < 0.3
            fire[key] = {"date": wheel[key]["done_date"], "done_by": "Etasjekontakten",
                         "deviations": yes if deviations else no, "reported": yes if deviations else None}
    fills["fire_rounds"] = fire
    if unit.has_fire_rounds:
        annual["fire_rounds"] = {"answer": len(fire)}
    section = unit.section(section_id) if unit.has_section(section_id) else None
    if section is not None:
        annual["signed_leader"] = {"answer": section.leader}
        annual["signed_leader_date"] = {"answer": min(today, unit.return_deadline)}
        if section.vo:
            annual["signed_vo"] = {"answer": section.vo}
            annual["signed_vo_date"] = {"answer": min(today, unit.return_deadline)}
