"""Language detection: English decided by its function words, everything else by the model."""

from __future__ import annotations

import pytest

from service.text.language import MARKER_SHARE
from service.text.language import detect_language
from service.text.language import english_share
from tests.api.test_language import ARTICLES
from tests.conftest import SEED

# A paragraph of news in each language (the test's own, not the eval data's),
# doubled so that each has enough words for the marker count to apply.
OTHER = {
    "nl": "De gemeenteraad heeft maandag na maanden van debat een nieuwe waterkering goedgekeurd. "
    "De kering moet ongeveer drieduizend woningen langs de rivier beschermen en kost veertig "
    "miljoen euro. Het werk begint in het voorjaar en duurt twee jaar, zei de wethouder. Hij was "
    "blij dat het plan er is, of het nu had gekund of niet.",
    "da": "Byrådet godkendte mandag en ny flodbarriere efter måneders debat. Barrieren skal "
    "beskytte omkring tre tusind boliger langs floden og koster fyrre millioner kroner. Arbejdet "
    "begynder til foråret og varer to år, sagde borgmesteren, som var glad for at det er her nu.",
    "sv": "Kommunfullmäktige godkände på måndagen en ny översvämningsbarriär efter månader av "
    "debatt. Barriären ska skydda omkring tre tusen bostäder längs älven och kostar fyrtio "
    "miljoner kronor. Arbetet börjar till våren och pågår i två år, sade kommunalrådet.",
    "pl": "Rada miasta zatwierdziła w poniedziałek nową zaporę przeciwpowodziową po miesiącach "
    "debaty. Zapora ma chronić około trzech tysięcy domów nad rzeką i kosztować czterdzieści "
    "milionów złotych. To jest ważne, powiedział burmistrz, a prace potrwają dwa lata.",
    "ro": "Consiliul local a aprobat luni o nouă barieră împotriva inundațiilor după luni de "
    "dezbateri. Bariera va proteja aproximativ trei mii de locuințe de pe malul râului și va "
    "costa patruzeci de milioane de euro. Lucrările încep în primăvară și durează doi ani.",
    "tr": "Belediye meclisi aylarca süren tartışmaların ardından pazartesi günü yeni bir sel "
    "bariyerini onayladı. Bariyer nehir kıyısındaki yaklaşık üç bin konutu koruyacak ve kırk "
    "milyon avroya mal olacak. Çalışmalar ilkbaharda başlayacak ve iki yıl sürecek.",
    "id": "Dewan kota menyetujui penghalang banjir baru pada hari Senin setelah berbulan-bulan "
    "perdebatan. Penghalang itu akan melindungi sekitar tiga ribu rumah di sepanjang sungai dan "
    "menelan biaya empat puluh juta dolar. Pekerjaan akan dimulai pada musim semi.",
    "ru": "Городской совет в понедельник после нескольких месяцев споров одобрил новый барьер от "
    "наводнений. Барьер защитит около трёх тысяч домов вдоль реки и обойдётся в сорок миллионов "
    "долларов. Работы начнутся весной и продлятся два года, сообщил мэр.",
} | {code: text for code, text in ARTICLES.items() if code != "en"}


@pytest.mark.parametrize("code", sorted(OTHER))
def test_other_languages_never_take_the_english_shortcut(code: str) -> None:
    text = OTHER[code] + " " + OTHER[code]
    assert english_share(text) < MARKER_SHARE / 2
    assert detect_language(text)[0] == code


def test_english_news_takes_the_shortcut() -> None:
    assert english_share(SEED.read_text()) >= 2 * MARKER_SHARE
    assert detect_language(SEED.read_text()) == ("en", 1.0)


def test_a_short_text_is_left_to_the_model() -> None:
    headline = "The city council approved a new flood barrier on Monday after months of debate."
    assert english_share(headline) == 0.0  # under the marker's word count
    assert detect_language(headline)[0] == "en"


def test_english_quoting_another_language_at_length_is_left_to_the_model() -> None:
    quoted = " ".join([OTHER["de"]] * 4)
    text = f"The mayor said: {quoted}"
    assert english_share(text) < MARKER_SHARE
    assert detect_language(text)[0] == "de"
