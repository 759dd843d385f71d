"""The sections of each kind of report, in order: the heading, a line of guidance for the author,
whether the record pre-fills it (``prefill.prefill``), and any fixed starting text (Markdown).

Every report has the usual sections of a psychiatric or psychological report (instructions,
sources, limits of confidentiality, history, the index behaviour, mental state, risk, opinion);
reports for a criminal court and for the Parole Board end with the expert's declaration and
statement of truth. Pure: no database, no settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from casework.reports.choices import ReportType


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str  # the heading, in British English
    guidance: str  # shown to the author under the heading
    prefilled: bool  # whether prefill.prefill() has anything for it
    starter: str  # fixed starting text in Markdown ("" for none)


INSTRUCTIONS = "instructions"
SOURCES = "sources"
CONFIDENTIALITY = "confidentiality"
HISTORY = "history"
INDEX_BEHAVIOUR = "index_behaviour"
MENTAL_STATE = "mental_state"
RISK = "risk"
OPINION = "opinion"
DECLARATION = "declaration"
# The treatment compliance report's own sections (drawn from the treatment record by the treatment
# app, which registers their builders with ``prefill.register_builder``).
ATTENDANCE = "attendance"
ABSENCES = "absences"
ENGAGEMENT = "engagement"
SUMMARY = "summary"

# The order every report follows; the declaration only in COURT_TYPES.
SECTION_KEYS = (
    INSTRUCTIONS,
    SOURCES,
    CONFIDENTIALITY,
    HISTORY,
    INDEX_BEHAVIOUR,
    MENTAL_STATE,
    RISK,
    OPINION,
    DECLARATION,
)
PREFILLED_KEYS = frozenset({INSTRUCTIONS, SOURCES, HISTORY, INDEX_BEHAVIOUR, RISK, OPINION})

# Reports for a criminal court: the expert's duty is to the court (Criminal Procedure Rules Part 19).
CRIMINAL_COURT_TYPES = (ReportType.SENTENCING.value, ReportType.BAIL.value)
# Reports that carry the declaration and statement of truth: the criminal courts, and the Parole
# Board (a court-like body that relies on expert evidence; its own wording below).
COURT_TYPES = (*CRIMINAL_COURT_TYPES, ReportType.PAROLE.value)


# --- Fixed starting text ------------------------------------------------------------------------

# Criminal Procedure Rules 2020, r.19.2 (the expert's duty to the court, which overrides any
# obligation to the person who instructs or pays them) and r.19.4(j) and (k) (the report must
# contain a declaration that the expert understands that duty and has complied with it, and a
# statement of truth); Criminal Practice Directions 2023, the expert evidence directions, on what
# the declaration covers. The statement of truth in the last paragraph follows the form of the
# Criminal Justice Act 1967, s.9(2)(b), so that the report may be tendered as a written statement;
# the statutory form is kept close because the court relies on it. Verify against the current
# rules before first use in court.
CRIMINAL_COURT_DECLARATION = """\
**Declaration**

I understand that my duty as an expert witness is to help the court to achieve the overriding \
objective by giving an opinion that is objective and unbiased, on matters within my expertise. I \
understand that this duty overrides any obligation to the person or organisation who instructed \
me or who is paying for this report. I confirm that I have complied with that duty, and that I \
will continue to do so, including by telling the court and the parties at once if my opinion \
changes in any material way.

I confirm that I have made clear which of the facts and matters in this report are within my \
own knowledge and which are not; that those within my own knowledge I believe to be true; that \
I have said where a question falls outside my expertise; and that the opinions I have given \
represent my true and complete professional opinion on the matters to which they refer.

**Statement of truth**

I confirm that the contents of this report are true to the best of my knowledge and belief, and \
that I make this report knowing that, if it is tendered in evidence, I would be liable to \
prosecution if I have wilfully stated in it anything which I know to be false or do not believe \
to be true.

Signed:

Name and professional qualifications:

Date:
"""

# The Parole Board is not a criminal court, so neither Part 19 of the Criminal Procedure Rules nor
# s.9 of the Criminal Justice Act 1967 applies; the Parole Board Rules 2019 and the Board's
# guidance for psychologists and psychiatrists instructed to write reports expect the same
# independence and candour. Our own wording, adapted from the court declaration. Verify against
# the Board's current guidance.
PAROLE_DECLARATION = """\
**Declaration**

I understand that my duty in writing this report is to help the Parole Board by giving an \
opinion that is objective and unbiased, on matters within my expertise, and that this duty \
overrides any obligation to the person or organisation who instructed me or who is paying for \
this report. I confirm that I have complied with that duty, and that I will tell the Board at \
once if my opinion changes in any material way before the case is decided.

I confirm that I have made clear which of the facts and matters in this report are within my \
own knowledge and which are not, and where a question falls outside my expertise, and that the \
opinions I have given represent my true and complete professional opinion.

**Statement of truth**

I confirm that the contents of this report are true to the best of my knowledge and belief, \
and I understand that the Parole Board will rely on them in deciding whether the person may be \
safely released.

Signed:

Name and professional qualifications:

Date:
"""

_CONFIDENTIALITY_COMMON = """\
Before the assessment I explained to the person being assessed that:

- the assessment was not confidential in the way that treatment would be;
- {audience};
- information suggesting a risk of serious harm to another person, or to themselves, would be \
shared with the agencies who need to know it, whatever else was agreed;
- they did not have to answer any question and could stop the assessment at any time, and this \
report would say if they had;
- {extra}

They said that they understood this and agreed to go on. [Change this if they did not.]
"""

_AUDIENCES = {
    ReportType.SENTENCING: (
        "a report would be written for the court, through those who instructed me, and would be seen by "
        "the judge or magistrates, the prosecution, the defence and the Probation Service",
        "what they told me might be referred to in court and could affect the sentence.",
    ),
    ReportType.BAIL: (
        "a report would be written for the court, through those who instructed me, and would be seen by "
        "the court, the prosecution and the defence",
        "I would not ask them about the offences they are charged with beyond what the assessment needs, "
        "and what they told me might be referred to in court.",
    ),
    ReportType.PAROLE: (
        "a report would be written for the Parole Board and would be seen by the Board, the Secretary "
        "of State's representatives, their legal representative and the Probation Service",
        "they would be able to read the report, and what they told me might be discussed at their hearing.",
    ),
    ReportType.MAPPA: (
        "a report would be written for the agencies that manage their risk under MAPPA (the police, "
        "the Probation Service and the Prison Service, with the agencies that co-operate with them)",
        "the report would be used to plan how their risk is managed and might be discussed at MAPPA meetings.",
    ),
    ReportType.POLICE: (
        "advice would be given to the police officers investigating, and might be disclosed to the "
        "Crown Prosecution Service and, if there is a prosecution, to the court and the defence",
        "what they told me about the matters under investigation was not said under caution and is not "
        "a police interview.",
    ),
    ReportType.NHS_TRUST: (
        "a report would be written for the NHS trust that asked for it, and shared with the clinicians "
        "responsible for their care",
        "the advice would be used to plan their care and to manage any risk to others.",
    ),
    ReportType.SOCIAL_SERVICES: (
        "a report would be written for the social services department that asked for it, and might be "
        "shared with other agencies working with them or with people at risk",
        "the advice would be used to plan how risk to others is managed, including any safeguarding work.",
    ),
    ReportType.CONSULTATION: (
        "advice would be given in a letter to the professionals who asked for it",
        "the advice would be used by those professionals to manage the case.",
    ),
}


def _confidentiality_starter(report_type: ReportType) -> str:
    audience, extra = _AUDIENCES[report_type]
    return _CONFIDENTIALITY_COMMON.format(audience=audience, extra=extra)


# --- The sections of each type ------------------------------------------------------------------

_CRIMINAL_COURT_GUIDANCE = " Keep what you were told apart from what you observed and what you conclude."


def _compliance_specs() -> tuple[SectionSpec, ...]:
    """A factual report of treatment under an order or licence: what was offered, what was attended,
    what was missed and why, how the person engaged; drawn from the record, not an expert opinion."""
    return (
        SectionSpec(
            INSTRUCTIONS,
            "The request and the questions asked",
            "Who asked for the report, when, and what they asked.",
            True,
            "",
        ),
        SectionSpec(
            ATTENDANCE,
            "Sessions offered and attended",
            "The programme, the order or licence it rests on, and the sessions offered, attended and missed.",
            True,
            "",
        ),
        SectionSpec(
            ABSENCES,
            "Absences and the reasons given",
            "Each session missed or cancelled, the reason given and whether the clinic accepted it.",
            True,
            "",
        ),
        SectionSpec(
            ENGAGEMENT,
            "Engagement in treatment",
            "The modules covered, the risk factors worked on, the outcome measures, and any compliance notices.",
            True,
            "",
        ),
        SectionSpec(
            SUMMARY,
            "Summary for those who asked",
            "In plain words: whether the person is complying with the requirement to attend treatment, and "
            "anything the court, the Parole Board or the supervising officer should know.",
            False,
            "",
        ),
    )


def _specs(report_type: ReportType) -> tuple[SectionSpec, ...]:
    if report_type == ReportType.COMPLIANCE:
        return _compliance_specs()
    court = report_type.value in COURT_TYPES
    titles: dict[str, str] = {
        INSTRUCTIONS: "Instructions and questions asked",
        SOURCES: "Sources of information",
        CONFIDENTIALITY: "Limits of confidentiality",
        HISTORY: "History",
        INDEX_BEHAVIOUR: "The index offence",
        MENTAL_STATE: "Mental state",
        RISK: "Risk assessment",
        OPINION: "Opinion and recommendations",
        DECLARATION: "Declaration and statement of truth",
    }
    guidance: dict[str, str] = {
        INSTRUCTIONS: (
            "Who instructed the clinic, when, and each question asked, in the words of the letter of instruction."
        ),
        SOURCES: (
            "Where and when the person was seen, by whom and for how long; the records read; the people spoken "
            "to. Say if the person was not seen, and why."
        ),
        CONFIDENTIALITY: "What the person was told about who would read the report, and whether they understood.",
        HISTORY: (
            "Family, personal, medical, psychiatric, social and forensic history, with where each part came from."
        ),
        INDEX_BEHAVIOUR: (
            "What was done, to whom (initials only) and over what period, and the orders and hearings that "
            "followed. Give the person's own account beside the record."
        ),
        MENTAL_STATE: "Your examination of mental state, and any diagnosis with the classification used.",
        RISK: (
            "The structured professional judgement: stalker type, the judgements of violence, persistence, "
            "recurrence and psychosocial damage with their reasons, and the risk scenarios."
        ),
        OPINION: "Your answer to each question asked, and what you recommend to manage the risk.",
        DECLARATION: "The expert's declaration and statement of truth. Do not change the wording.",
    }

    if report_type == ReportType.SENTENCING:
        titles[OPINION] = "Opinion and recommendations, including disposal"
        guidance[OPINION] = (
            "Any disorder and its link to the offending, the risk, and the disposal you recommend (for "
            "example, a community order with a mental health treatment requirement), answering each question."
        )
    elif report_type == ReportType.BAIL:
        titles[INDEX_BEHAVIOUR] = "The alleged offences"
        guidance[INDEX_BEHAVIOUR] = (
            "The allegations as allegations: the person has not been convicted of them. Record what they said "
            "only as far as the assessment needs it."
        )
        titles[OPINION] = "Opinion and recommendations on bail"
        guidance[OPINION] = (
            "The risk while on bail, and the conditions or treatment that would manage it, answering each question."
        )
    elif report_type == ReportType.PAROLE:
        titles[INDEX_BEHAVIOUR] = "The index offence and progress since sentence"
        guidance[INDEX_BEHAVIOUR] = (
            "The index offence, any contact or attempted contact with the victim (initials only) since "
            "sentence, and work done in custody."
        )
        titles[OPINION] = "Opinion and recommendations to the Parole Board"
        guidance[OPINION] = (
            "Whether the risk could be managed in the community, the licence conditions and treatment that would "
            "manage it, answering each question."
        )
        titles[DECLARATION] = "Declaration to the Parole Board and statement of truth"
    elif report_type == ReportType.MAPPA:
        titles[INSTRUCTIONS] = "The request and the questions asked"
        titles[INDEX_BEHAVIOUR] = "The stalking behaviour and offending"
        titles[OPINION] = "Opinion and recommendations for risk management"
        guidance[OPINION] = (
            "What each agency should do to monitor, supervise and treat, and to keep victims safe, answering "
            "each question."
        )
    elif report_type == ReportType.POLICE:
        titles[INSTRUCTIONS] = "The request for advice and the questions asked"
        titles[INDEX_BEHAVIOUR] = "The behaviour under investigation"
        guidance[INDEX_BEHAVIOUR] = (
            "The behaviour as the police have described it, to whom (initials only) and over what period. "
            "No finding of guilt is implied."
        )
        titles[OPINION] = "Advice"
        guidance[OPINION] = "Your answer to each question asked, and what you advise the police to do."
    elif report_type in (ReportType.NHS_TRUST, ReportType.SOCIAL_SERVICES):
        titles[INSTRUCTIONS] = "The request and the questions asked"
        titles[HISTORY] = "Background"
        titles[INDEX_BEHAVIOUR] = "The stalking behaviour"
        titles[OPINION] = "Opinion and recommendations for management"
    elif report_type == ReportType.CONSULTATION:
        titles[INSTRUCTIONS] = "The consultation requested and the questions asked"
        titles[SOURCES] = "Information considered"
        guidance[SOURCES] = (
            "The records and accounts the advice rests on. Say whether the person was seen; advice given "
            "without seeing them is limited by that."
        )
        titles[HISTORY] = "Background"
        titles[INDEX_BEHAVIOUR] = "The behaviour of concern"
        titles[MENTAL_STATE] = "Mental health, as far as it is known"
        guidance[MENTAL_STATE] = "What is known of the person's mental health, and from whom."
        titles[RISK] = "Risk formulation"
        titles[OPINION] = "Advice and recommendations"
        guidance[OPINION] = "Your answer to each question asked, and what you advise the professionals to do."

    if report_type.value in CRIMINAL_COURT_TYPES:
        guidance[HISTORY] += _CRIMINAL_COURT_GUIDANCE

    starters = {
        CONFIDENTIALITY: _confidentiality_starter(report_type),
        DECLARATION: PAROLE_DECLARATION if report_type == ReportType.PAROLE else CRIMINAL_COURT_DECLARATION,
    }
    keys = SECTION_KEYS if court else tuple(k for k in SECTION_KEYS if k != DECLARATION)
    return tuple(
        SectionSpec(
            key=key,
            title=titles[key],
            guidance=guidance[key],
            prefilled=key in PREFILLED_KEYS,
            starter=starters.get(key, ""),
        )
        for key in keys
    )


_BY_TYPE: dict[str, tuple[SectionSpec, ...]] = {report_type.value: _specs(report_type) for report_type in ReportType}


def sections_for(report_type: str) -> tuple[SectionSpec, ...]:
    """The sections of a report of this type, in order (KeyError for a type that does not exist)."""
    return _BY_TYPE[str(report_type)]


def section_for(report_type: str, key: str) -> SectionSpec | None:
    """One section of a report of this type (None: the type has no such section)."""
    return next((spec for spec in sections_for(report_type) if spec.key == key), None)
