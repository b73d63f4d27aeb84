"""Attribution: does a sentence report what someone says, rather than state it?

Editors treat a claim's source as content: "X is over, according to a
secret briefing" is not "X is over". These patterns find the source in a
sentence (a reporting verb with its speaker, "according to", a study's
finding, a hedge such as "allegedly"), so that a cut never drops it, and so
that the checker can flag a summary sentence that states as fact what the
article only attributes.
"""

from __future__ import annotations

import re

# Verbs that report speech, thought or a finding, in their common forms.
REPORTING_VERBS = (
    r"said|says|say|told|tells|claim(?:s|ed)?|alleg(?:e|es|ed)|believes?|believed|"
    r"argue[sd]?|insist(?:s|ed)?|warn(?:s|ed)?|add(?:s|ed)|stated|states|"
    r"report(?:s|ed)|announce[sd]?|estimate[sd]?|suggest(?:s|ed)|"
    r"reveal(?:s|ed)|admit(?:s|ted)|den(?:y|ies|ied)|accuse[sd]?|confirm(?:s|ed)|"
    r"predict(?:s|ed)|wr(?:ote|ites)|explain(?:s|ed)|testified|maintain(?:s|ed)|"
    r"conclude[sd]?|acknowledged?|contend(?:s|ed)?|asserts?|asserted|"
    r"thinks?|thought|fear(?:s|ed)|expects?|expected|quoted"
)
_WORD = r"[\w.'\u2019-]+"
# A speaker of up to seven words, then the verb (", the U.S. defense
# secretary said Wednesday."; ',” he said.'), at a sentence's end or before a comma.
_TAIL = re.compile(
    rf",[\"\u201d']?\s+(?:{_WORD}\s+){{0,7}}?(?:{REPORTING_VERBS})\b(?:\s+{_WORD}){{0,4}}?\s*(?:[.!,]|$)"
    rf"|,[\"\u201d']?\s+(?:{REPORTING_VERBS})\s+(?:{_WORD}\s+){{0,6}}?{_WORD}\s*[.!]?\s*$",
    re.IGNORECASE,
)
# "Police said (that) ...", "The report warns ...": the verb early, then the claim.
_LEAD = re.compile(rf"^(?:{_WORD}\s+){{1,7}}?(?:{REPORTING_VERBS})\b\s+(?:that\s+)?", re.IGNORECASE)
_SOURCE_PHRASE = re.compile(
    r"\b(?:according to|allegedly|reportedly|purportedly|supposedly)\b"
    r"|\b(?:study|report|survey|poll|research|documents?|analysis|investigation|memo|briefing|"
    r"figures|data|review|paper|statement|records?|filings?|complaint|lawsuit|indictment|"
    r"affidavit|source|sources)\s+(?:\w+\s+){0,3}?(?:found|finds|shows?|showed|shown|suggests?|"
    r"suggested|revealed|reveals|says|said|states|stated|warned|warns|claims?|claimed|alleges?|"
    r"alleged|indicates?|indicated)\b",
    re.IGNORECASE,
)
# Anything that marks a claim as someone's: what a bullet keeps to stay attributed.
CUE = re.compile(
    rf"\b(?:{REPORTING_VERBS}|according to|allegedly|reportedly|purportedly|supposedly|"
    r"claims?|alleged|accused|found|finds|shows?|showed)\b",
    re.IGNORECASE,
)


def is_attributed(sentence: str) -> bool:
    """Tell whether a sentence reports someone's claim, opinion, estimate or finding."""
    return bool(_SOURCE_PHRASE.search(sentence) or _TAIL.search(sentence) or _LEAD.match(sentence))


def has_cue(text: str) -> bool:
    """Tell whether a text carries any attribution (a source, a reporting verb, a hedge)."""
    return bool(CUE.search(text))


# Attribution is content: only a routine source after a plain, observed fact
# may go (", police said." after "Two people died in the fire"); a claim, an
# opinion, an estimate, a finding or an allegation keeps its source.
_ROUTINE_SPEAKER = (
    r"(?:(?:the\s+)?police|(?:the\s+)?authorities|(?:(?:local|state|city|county|federal|fire|"
    r"police|hospital|emergency|rescue)\s+)?officials|firefighters|rescuers|(?:the\s+)?coroner|"
    r"(?:the\s+)?(?:fire|police|ambulance|emergency|rescue)\s+(?:service|services|department))"
)
_WHEN = r"(?:\s+(?:on\s+)?(?:today|yesterday|tonight|last night|\w+day|this week|last week))?"
ROUTINE_ATTRIBUTION = re.compile(
    rf",\s+{_ROUTINE_SPEAKER}\s+(?:said|say|says|reported|confirmed){_WHEN}(?=\s*[.!]?$)",
    re.IGNORECASE,
)
# What makes a claim more than an observed fact: a hedge, a judgement, a
# forecast, a suspicion or someone's state of mind.
_NOT_PLAIN = re.compile(
    r"\b(?:may|might|could|would|should|will|likely|possibly|probably|believe[sd]?|suspect(?:s|ed)?|"
    r"alleged(?:ly)?|appear(?:s|ed)?|seem(?:s|ed)?|thought|think|expect(?:s|ed)?|accused|"
    r"motive|because|intend(?:s|ed)?|wanted|that)\b",
    re.IGNORECASE,
)


def routine_tail(sentence: str) -> re.Match[str] | None:
    """Return a routine source's tail (", police said.") after a plain fact, else None."""
    if "," not in sentence:
        return None
    match = ROUTINE_ATTRIBUTION.search(sentence)
    if match is None or _NOT_PLAIN.search(sentence, 0, match.start()):
        return None
    return match
