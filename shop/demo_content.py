"""Demo shop content: categories, products and their safety information, in English and Dutch.

Pure data; `shop.cli seed-demo` loads it.
"""

import textwrap
from typing import Literal, TypedDict

# --------------------------------------------------------------------------------------------------
# Types
# --------------------------------------------------------------------------------------------------

DisclaimerKind = Literal["health", "dosage", "legal", "usage"]
AllergenPresence = Literal["contains", "may_contain"]


class LocalizedText(TypedDict):
    en: str
    nl: str


class CategoryData(TypedDict):
    slug: str
    name: LocalizedText
    description: LocalizedText
    position: int


class DisclaimerData(TypedDict):
    kind: DisclaimerKind
    text: LocalizedText


class AllergyData(TypedDict):
    no_known_allergens: bool
    allergens: list[tuple[str, AllergenPresence]]
    warning: LocalizedText


class ProductData(TypedDict):
    slug: str
    category: str
    name: LocalizedText
    summary: LocalizedText
    description_md: LocalizedText
    price_cents: int
    stock: int
    min_age: int
    featured: bool
    disclaimers: list[DisclaimerData]
    allergy: AllergyData


class ArticleData(TypedDict):
    slug: str
    title: LocalizedText
    summary: LocalizedText
    body_md: LocalizedText
    disclaimer: LocalizedText
    related_products: list[str]


# --------------------------------------------------------------------------------------------------
# Allergens: the 14 of EU Regulation 1169/2011 Annex II, plus fungi (mushrooms)
# --------------------------------------------------------------------------------------------------

ALLERGEN_CODES: tuple[str, ...] = (
    "gluten",
    "crustaceans",
    "eggs",
    "fish",
    "peanuts",
    "soybeans",
    "milk",
    "nuts",
    "celery",
    "mustard",
    "sesame",
    "sulphites",
    "lupin",
    "molluscs",
    "fungi",
)

ALLERGEN_NAMES: dict[str, dict[str, str]] = {
    "gluten": {"en": "Cereals containing gluten", "nl": "Glutenbevattende granen"},
    "crustaceans": {"en": "Crustaceans", "nl": "Schaaldieren"},
    "eggs": {"en": "Eggs", "nl": "Eieren"},
    "fish": {"en": "Fish", "nl": "Vis"},
    "peanuts": {"en": "Peanuts", "nl": "Pinda's"},
    "soybeans": {"en": "Soybeans", "nl": "Soja"},
    "milk": {"en": "Milk (including lactose)", "nl": "Melk (inclusief lactose)"},
    "nuts": {"en": "Tree nuts", "nl": "Noten"},
    "celery": {"en": "Celery", "nl": "Selderij"},
    "mustard": {"en": "Mustard", "nl": "Mosterd"},
    "sesame": {"en": "Sesame seeds", "nl": "Sesamzaad"},
    "sulphites": {"en": "Sulphur dioxide and sulphites", "nl": "Zwaveldioxide en sulfieten"},
    "lupin": {"en": "Lupin", "nl": "Lupine"},
    "molluscs": {"en": "Molluscs", "nl": "Weekdieren"},
    "fungi": {"en": "Fungi (mushrooms)", "nl": "Schimmels (paddenstoelen)"},
}

FUNGI_WARNING: LocalizedText = {
    "en": "Do not use if you are allergic to mushrooms.",
    "nl": "Niet gebruiken als je allergisch bent voor paddenstoelen.",
}


# --------------------------------------------------------------------------------------------------
# Small pure helpers (no side effects; they only build fresh dicts/strings)
# --------------------------------------------------------------------------------------------------


def _md(text: str) -> str:
    """Turn an indented, hard-wrapped triple-quoted Markdown block into clean Markdown.

    Dedents, strips surrounding blank lines and re-joins soft-wrapped lines, so every paragraph
    and every bullet ends up on a single line (headings and list items start new lines).
    """
    lines: list[str] = []
    for line in textwrap.dedent(text).strip().splitlines():
        starts_block = line.startswith(("- ", "## "))
        if (
            lines
            and line.strip()
            and lines[-1]
            and not starts_block
            and not lines[-1].startswith("#")
        ):
            lines[-1] = f"{lines[-1]} {line.strip()}"
        else:
            lines.append(line.rstrip())
    return "\n".join(lines)


def _fungi_allergy(
    *extra: tuple[str, AllergenPresence], extra_en: str = "", extra_nl: str = ""
) -> AllergyData:
    """Allergy statement for a mushroom/truffle product, optionally with further allergens."""
    return {
        "no_known_allergens": False,
        "allergens": [("fungi", "contains"), *extra],
        "warning": {
            "en": f"{FUNGI_WARNING['en']} {extra_en}".strip(),
            "nl": f"{FUNGI_WARNING['nl']} {extra_nl}".strip(),
        },
    }


def _no_known_allergens() -> AllergyData:
    return {"no_known_allergens": True, "allergens": [], "warning": {"en": "", "nl": ""}}


# --------------------------------------------------------------------------------------------------
# Categories
# --------------------------------------------------------------------------------------------------

CATEGORIES: list[CategoryData] = [
    {
        "slug": "magic-truffles",
        "name": {"en": "Magic Truffles", "nl": "Magic truffels"},
        "description": {
            "en": (
                "Fresh psilocybin truffles (sclerotia), vacuum-packed and kept refrigerated until "
                "they ship. Strength differs per strain, so read the product information before "
                "you order."
            ),
            "nl": (
                "Verse psilocybinetruffels (sclerotia), vacuüm verpakt en gekoeld bewaard tot de "
                "verzending. De sterkte verschilt per soort, dus lees de productinformatie "
                "voordat je bestelt."
            ),
        },
        "position": 1,
    },
    {
        "slug": "microdosing-kits",
        "name": {"en": "Microdosing Kits", "nl": "Microdosing kits"},
        "description": {
            "en": (
                "Kits that combine truffles with a precision scale and a journal, for adults who "
                "have decided to try microdosing. Research in humans is limited and results are "
                "mixed, so please read our knowledge base first."
            ),
            "nl": (
                "Kits met truffels, een precisieweegschaal en een dagboek, voor volwassenen die "
                "besloten hebben microdoseren te proberen. Onderzoek bij mensen is beperkt en de "
                "resultaten zijn wisselend: lees daarom eerst onze kennisbank."
            ),
        },
        "position": 2,
    },
    {
        "slug": "grow-kits",
        "name": {"en": "Grow Kits", "nl": "Growkits"},
        "description": {
            "en": (
                "Ready-to-grow mycelium kits, from Psilocybe cubensis varieties to the culinary "
                "Lion's Mane. Check the rules where you live before you order."
            ),
            "nl": (
                "Kant-en-klare myceliumkits, van Psilocybe cubensis-variëteiten tot de eetbare "
                "pruikzwam. Controleer de regels in jouw land voordat je bestelt."
            ),
        },
        "position": 3,
    },
    {
        "slug": "medicinal-mushrooms",
        "name": {"en": "Medicinal Mushrooms", "nl": "Medicinale paddenstoelen"},
        "description": {
            "en": (
                "Food supplements made from Lion's Mane, reishi, cordyceps and chaga. These "
                "mushrooms have a long history of traditional use, but no health claims have been "
                "approved for them in the EU and evidence in humans is limited."
            ),
            "nl": (
                "Voedingssupplementen van pruikzwam (Lion's Mane), reishi, cordyceps en chaga. "
                "Deze paddenstoelen worden al lang traditioneel gebruikt, maar in de EU zijn er "
                "geen gezondheidsclaims voor goedgekeurd en het bewijs bij mensen is beperkt."
            ),
        },
        "position": 4,
    },
    {
        "slug": "accessories",
        "name": {"en": "Accessories", "nl": "Accessoires"},
        "description": {
            "en": (
                "Practical extras: precision scales, storage tins and journals to keep track of "
                "what you take and how you feel."
            ),
            "nl": (
                "Handige extra's: precisieweegschalen, bewaarblikken en dagboeken om bij te "
                "houden wat je neemt en hoe je je voelt."
            ),
        },
        "position": 5,
    },
]


# --------------------------------------------------------------------------------------------------
# Products
# --------------------------------------------------------------------------------------------------

PRODUCTS: list[ProductData] = [
    # ---------------------------------------------------------------- magic truffles
    {
        "slug": "truffles-mexicana-10g",
        "category": "magic-truffles",
        "name": {"en": "Magic Truffles Mexicana – 10 g", "nl": "Magic truffels Mexicana – 10 gram"},
        "summary": {
            "en": (
                "Fresh Psilocybe mexicana truffles in a 10 g vacuum pack, the mildest strain in "
                "our range."
            ),
            "nl": (
                "Verse Psilocybe mexicana-truffels in een vacuümverpakking van 10 gram, de "
                "mildste soort in ons assortiment."
            ),
        },
        "description_md": {
            "en": _md(
                """
                Mexicana truffles are the sclerotia of *Psilocybe mexicana*: firm knobs about the
                size of a hazelnut that the fungus forms underground. They are harvested fresh,
                vacuum-packed in 10 g portions and kept refrigerated until they leave our warehouse.

                This is the mildest strain in our range, which is why many customers start here.
                Mild does not mean without effect: how you respond depends on your body, your mood
                and your surroundings.

                ## Storage
                - Keep the sealed pack in the fridge (2–7 °C).
                - Unopened, use within three months of the packing date.
                - Once opened, use within a few days.
                """
            ),
            "nl": _md(
                """
                Mexicana-truffels zijn de sclerotia van *Psilocybe mexicana*: stevige knolletjes zo
                groot als een hazelnoot, die de schimmel onder de grond vormt. Ze worden vers
                geoogst, per 10 gram vacuüm verpakt en gekoeld bewaard tot ze ons magazijn verlaten.

                Het is de mildste soort in ons assortiment, en daarom beginnen veel klanten hiermee.
                Mild betekent niet zonder effect: hoe je reageert, hangt af van je lichaam, je
                stemming en je omgeving.

                ## Bewaren
                - Bewaar de gesloten verpakking in de koelkast (2–7 °C).
                - Ongeopend gebruik je ze binnen drie maanden na de verpakkingsdatum.
                - Na openen binnen een paar dagen opmaken.
                """
            ),
        },
        "price_cents": 1295,
        "stock": 64,
        "min_age": 18,
        "featured": True,
        "disclaimers": [
            {
                "kind": "health",
                "text": {
                    "en": (
                        "This information is not medical advice. Do not use truffles if you take "
                        "antidepressants, lithium or other prescription medication, have a heart "
                        "condition, or have a personal or family history of psychosis, bipolar "
                        "disorder or other serious mental illness."
                    ),
                    "nl": (
                        "Deze informatie is geen medisch advies. Gebruik geen truffels als je "
                        "antidepressiva, lithium of andere medicijnen op recept gebruikt, als je "
                        "een hartaandoening hebt, of als psychose, een bipolaire stoornis of een "
                        "andere ernstige psychische aandoening bij jou of in je familie voorkomt."
                    ),
                },
            },
            {
                "kind": "dosage",
                "text": {
                    "en": (
                        "Strength varies per batch and per person. Start low and give it at least "
                        "90 minutes: effects can be slow to start, so don't top up too early."
                    ),
                    "nl": (
                        "De sterkte verschilt per partij en per persoon. Begin laag en geef het "
                        "minstens 90 minuten: de werking kan langzaam op gang komen, dus neem "
                        "niet te snel meer."
                    ),
                },
            },
            {
                "kind": "usage",
                "text": {
                    "en": (
                        "Do not combine with alcohol or other drugs. Do not drive, cycle in "
                        "traffic or operate machinery on the day you use them."
                    ),
                    "nl": (
                        "Niet combineren met alcohol of andere middelen. Rijd geen auto, fiets "
                        "niet in het verkeer en bedien geen machines op de dag dat je ze "
                        "gebruikt."
                    ),
                },
            },
            {
                "kind": "legal",
                "text": {
                    "en": (
                        "Sold to adults aged 18 and over only. Magic truffles can be sold legally "
                        "in the Netherlands; taking them abroad may be a criminal offence."
                    ),
                    "nl": (
                        "Alleen voor volwassenen vanaf 18 jaar. Magic truffels mogen in Nederland "
                        "legaal verkocht worden; ze meenemen naar het buitenland kan strafbaar "
                        "zijn."
                    ),
                },
            },
        ],
        "allergy": _fungi_allergy(),
    },
    {
        "slug": "truffles-mexicana-15g",
        "category": "magic-truffles",
        "name": {"en": "Magic Truffles Mexicana – 15 g", "nl": "Magic truffels Mexicana – 15 gram"},
        "summary": {
            "en": (
                "The same mild Mexicana truffles in a larger 15 g pack, freshly vacuum-packed and "
                "shipped chilled."
            ),
            "nl": (
                "Dezelfde milde Mexicana-truffels in een grotere verpakking van 15 gram, vers "
                "vacuüm verpakt en gekoeld verzonden."
            ),
        },
        "description_md": {
            "en": _md(
                """
                This is our Mexicana strain in a 15 g pack, for people who already know how they
                respond to it. The truffles come from the same grower and go through the same
                quality checks as the 10 g pack.

                A larger pack is not meant to be used in one go. Take out only what you need, close
                the pack with a clip and put it back in the fridge straight away.

                Keep it refrigerated at 2–7 °C and use unopened packs within three months of the
                packing date. If the truffles turn soft or slimy, or smell off, throw them away.
                """
            ),
            "nl": _md(
                """
                Dit is onze Mexicana-soort in een verpakking van 15 gram, voor wie al weet hoe hij
                of zij erop reageert. De truffels komen van dezelfde kweker en doorlopen dezelfde
                kwaliteitscontrole als de verpakking van 10 gram.

                Een grotere verpakking is niet bedoeld om in één keer te gebruiken. Haal er alleen
                uit wat je nodig hebt, sluit de verpakking af met een clip en leg hem meteen terug
                in de koelkast.

                Bewaar hem gekoeld op 2–7 °C en gebruik ongeopende verpakkingen binnen drie maanden
                na de verpakkingsdatum. Worden de truffels zacht of slijmerig, of ruiken ze vreemd?
                Gooi ze dan weg.
                """
            ),
        },
        "price_cents": 1695,
        "stock": 48,
        "min_age": 18,
        "featured": False,
        "disclaimers": [
            {
                "kind": "dosage",
                "text": {
                    "en": (
                        "A 15 g pack is not a single portion. Potency differs between batches, so "
                        "start small even if you have used this strain before."
                    ),
                    "nl": (
                        "Een verpakking van 15 gram is geen enkele portie. De sterkte verschilt "
                        "per partij, dus begin klein, ook als je deze soort al eerder hebt "
                        "gebruikt."
                    ),
                },
            },
            {
                "kind": "health",
                "text": {
                    "en": (
                        "Not medical advice. Do not use if you are pregnant or breastfeeding, "
                        "take medication such as antidepressants or lithium, or have a personal "
                        "or family history of mental illness. When in doubt, talk to your doctor "
                        "first."
                    ),
                    "nl": (
                        "Geen medisch advies. Niet gebruiken als je zwanger bent of borstvoeding "
                        "geeft, medicijnen zoals antidepressiva of lithium gebruikt, of als "
                        "psychische aandoeningen bij jou of in je familie voorkomen. Twijfel je? "
                        "Overleg dan eerst met je huisarts."
                    ),
                },
            },
            {
                "kind": "usage",
                "text": {
                    "en": (
                        "Keep out of reach of children and pets. Never combine with alcohol or "
                        "other substances, and do not drive or operate machinery after use."
                    ),
                    "nl": (
                        "Buiten bereik van kinderen en huisdieren bewaren. Nooit combineren met "
                        "alcohol of andere middelen, en na gebruik geen auto rijden of machines "
                        "bedienen."
                    ),
                },
            },
            {
                "kind": "legal",
                "text": {
                    "en": "For adults aged 18 and over only.",
                    "nl": "Uitsluitend voor volwassenen van 18 jaar en ouder.",
                },
            },
        ],
        "allergy": _fungi_allergy(),
    },
    {
        "slug": "truffles-tampanensis-10g",
        "category": "magic-truffles",
        "name": {
            "en": "Magic Truffles Tampanensis – 10 g",
            "nl": "Magic truffels Tampanensis – 10 gram",
        },
        "summary": {
            "en": (
                "Psilocybe tampanensis truffles, often called Philosopher's Stones, in a 10 g "
                "pack; noticeably stronger than Mexicana."
            ),
            "nl": (
                "Psilocybe tampanensis-truffels, ook wel Philosopher's Stones genoemd, in een "
                "verpakking van 10 gram; merkbaar sterker dan Mexicana."
            ),
        },
        "description_md": {
            "en": _md(
                """
                *Psilocybe tampanensis* was described in the 1970s from a single specimen found in
                Florida; the truffles sold today come from cultivated descendants of that find. In
                the trade they are known as Philosopher's Stones.

                They are generally stronger than our Mexicana truffles. If you have never used
                truffles before, this is not the pack to start with.

                ## What you get
                - 10 g of fresh truffles, vacuum-packed
                - A leaflet with safety information in Dutch and English
                - Packing date and batch number on the label
                """
            ),
            "nl": _md(
                """
                *Psilocybe tampanensis* werd in de jaren zeventig beschreven aan de hand van één
                exemplaar dat in Florida werd gevonden; de truffels van nu komen van gekweekte
                nakomelingen van die vondst. In de handel heten ze Philosopher's Stones.

                Ze zijn over het algemeen sterker dan onze Mexicana-truffels. Heb je nog nooit
                truffels gebruikt? Begin dan niet met deze verpakking.

                ## Wat je krijgt
                - 10 gram verse truffels, vacuüm verpakt
                - Een bijsluiter met veiligheidsinformatie in het Nederlands en Engels
                - Verpakkingsdatum en batchnummer op het etiket
                """
            ),
        },
        "price_cents": 1595,
        "stock": 35,
        "min_age": 18,
        "featured": False,
        "disclaimers": [
            {
                "kind": "health",
                "text": {
                    "en": (
                        "Not suitable if you have a heart condition or high blood pressure, a "
                        "personal or family history of mental illness, or if you use "
                        "antidepressants (SSRIs, MAO inhibitors) or lithium. This is not medical "
                        "advice."
                    ),
                    "nl": (
                        "Niet geschikt als je een hartaandoening of hoge bloeddruk hebt, als "
                        "psychische aandoeningen bij jou of in je familie voorkomen, of als je "
                        "antidepressiva (SSRI's, MAO-remmers) of lithium gebruikt. Dit is geen "
                        "medisch advies."
                    ),
                },
            },
            {
                "kind": "dosage",
                "text": {
                    "en": (
                        "Stronger strain: start with a smaller amount than you would with "
                        "Mexicana and wait at least 90 minutes before you decide whether to take "
                        "any more."
                    ),
                    "nl": (
                        "Sterkere soort: begin met een kleinere hoeveelheid dan bij Mexicana en "
                        "wacht minstens 90 minuten voordat je besluit of je meer neemt."
                    ),
                },
            },
            {
                "kind": "usage",
                "text": {
                    "en": (
                        "Use in a safe, familiar place with a sober person you trust nearby. Do "
                        "not drive, operate machinery or combine with alcohol."
                    ),
                    "nl": (
                        "Gebruik op een veilige, vertrouwde plek, met iemand in de buurt die "
                        "nuchter is en die je vertrouwt. Rijd geen auto, bedien geen machines en "
                        "combineer niet met alcohol."
                    ),
                },
            },
            {
                "kind": "legal",
                "text": {
                    "en": (
                        "Adults 18+ only. Do not take truffles across borders: they are illegal "
                        "in many countries."
                    ),
                    "nl": (
                        "Alleen voor volwassenen van 18+. Neem truffels niet mee over de grens: "
                        "in veel landen zijn ze verboden."
                    ),
                },
            },
        ],
        "allergy": _fungi_allergy(),
    },
    {
        "slug": "truffles-atlantis-15g",
        "category": "magic-truffles",
        "name": {"en": "Magic Truffles Atlantis – 15 g", "nl": "Magic truffels Atlantis – 15 gram"},
        "summary": {
            "en": (
                "Atlantis truffles (Psilocybe atlantis) in a 15 g pack, a medium-strength strain "
                "between Mexicana and Tampanensis."
            ),
            "nl": (
                "Atlantis-truffels (Psilocybe atlantis) in een verpakking van 15 gram, een "
                "middelsterke soort tussen Mexicana en Tampanensis in."
            ),
        },
        "description_md": {
            "en": _md(
                """
                Atlantis truffles take their name from *Psilocybe atlantis*, a species described
                from a find in the US state of Georgia. Our grower cultivates them in the
                Netherlands and harvests them by hand.

                In strength they sit between Mexicana and Tampanensis. Like all truffles they vary
                from batch to batch, so treat every new pack as if it were your first.

                Keep them refrigerated at 2–7 °C and use them within three months of the packing
                date. Use an opened pack within a few days.
                """
            ),
            "nl": _md(
                """
                Atlantis-truffels danken hun naam aan *Psilocybe atlantis*, een soort die beschreven
                is aan de hand van een vondst in de Amerikaanse staat Georgia. Onze kweker teelt ze
                in Nederland en oogst ze met de hand.

                Qua sterkte zitten ze tussen Mexicana en Tampanensis in. Net als alle truffels
                verschillen ze per partij, dus behandel elke nieuwe verpakking alsof het je eerste
                is.

                Bewaar ze gekoeld op 2–7 °C en gebruik ze binnen drie maanden na de
                verpakkingsdatum. Een geopende verpakking maak je binnen een paar dagen op.
                """
            ),
        },
        "price_cents": 1895,
        "stock": 0,
        "min_age": 18,
        "featured": False,
        "disclaimers": [
            {
                "kind": "health",
                "text": {
                    "en": (
                        "This is not medical advice. Psilocybin raises heart rate and blood "
                        "pressure and can trigger anxiety or psychosis in vulnerable people. Do "
                        "not use it if you have a heart condition, a personal or family history "
                        "of mental illness, or take psychiatric medication."
                    ),
                    "nl": (
                        "Dit is geen medisch advies. Psilocybine verhoogt je hartslag en "
                        "bloeddruk en kan bij kwetsbare mensen angst of een psychose uitlokken. "
                        "Niet gebruiken bij een hartaandoening, als psychische aandoeningen bij "
                        "jou of in je familie voorkomen, of als je psychiatrische medicatie "
                        "gebruikt."
                    ),
                },
            },
            {
                "kind": "usage",
                "text": {
                    "en": (
                        "Don't mix with alcohol, cannabis or other drugs. Don't drive or operate "
                        "machinery on the day of use."
                    ),
                    "nl": (
                        "Niet mengen met alcohol, cannabis of andere drugs. Geen auto rijden of "
                        "machines bedienen op de dag van gebruik."
                    ),
                },
            },
            {
                "kind": "legal",
                "text": {
                    "en": (
                        "Only for adults aged 18 or older. Legal to sell in the Netherlands; "
                        "check the law before you travel with truffles."
                    ),
                    "nl": (
                        "Alleen voor volwassenen van 18 jaar of ouder. Legaal te koop in "
                        "Nederland; check de wet voordat je met truffels op reis gaat."
                    ),
                },
            },
        ],
        "allergy": _fungi_allergy(),
    },
    {
        "slug": "truffles-hollandia-strong-15g",
        "category": "magic-truffles",
        "name": {
            "en": "Magic Truffles Hollandia Strong – 15 g",
            "nl": "Magic truffels Hollandia Strong – 15 gram",
        },
        "summary": {
            "en": (
                "Our strongest truffles in a 15 g pack, meant only for experienced adults aged 21 "
                "and over."
            ),
            "nl": (
                "Onze sterkste truffels in een verpakking van 15 gram, alleen bedoeld voor "
                "ervaren volwassenen van 21 jaar en ouder."
            ),
        },
        "description_md": {
            "en": _md(
                """
                Hollandia is the strongest strain we sell. We only offer it to customers aged 21 and
                over who have used milder truffles before and know how they react.

                ## Before you consider this pack
                - You have used truffles more than once, without problems.
                - You have a quiet day with nothing planned, and a sober person you trust nearby.
                - You take no medication that may interact with psilocybin.

                If any of these does not apply to you, choose a milder strain or skip it altogether.
                A stronger effect also means a higher chance of an anxious, confusing or
                overwhelming experience.
                """
            ),
            "nl": _md(
                """
                Hollandia is de sterkste soort die we verkopen. We bieden hem alleen aan klanten van
                21 jaar en ouder die al eerder mildere truffels hebben gebruikt en weten hoe ze
                reageren.

                ## Voordat je aan deze verpakking begint
                - Je hebt al vaker truffels gebruikt, zonder problemen.
                - Je hebt een rustige dag zonder verplichtingen, met iemand in de buurt die nuchter
                  is en die je vertrouwt.
                - Je gebruikt geen medicijnen die een wisselwerking met psilocybine kunnen hebben.

                Geldt een van deze punten niet voor jou? Kies dan een mildere soort of laat het
                helemaal zitten. Een sterker effect betekent ook een grotere kans op een angstige,
                verwarrende of overweldigende ervaring.
                """
            ),
        },
        "price_cents": 2295,
        "stock": 18,
        "min_age": 21,
        "featured": False,
        "disclaimers": [
            {
                "kind": "legal",
                "text": {
                    "en": (
                        "Sold only to adults aged 21 and over; we do not ship this product to "
                        "anyone younger."
                    ),
                    "nl": (
                        "Alleen te koop voor volwassenen van 21 jaar en ouder; aan jongere "
                        "klanten versturen we dit product niet."
                    ),
                },
            },
            {
                "kind": "health",
                "text": {
                    "en": (
                        "Not medical advice. Do not use with antidepressants, lithium, tramadol "
                        "or other medication that affects serotonin, with a heart or "
                        "blood-pressure condition, or with a personal or family history of "
                        "psychosis or bipolar disorder."
                    ),
                    "nl": (
                        "Geen medisch advies. Niet gebruiken samen met antidepressiva, lithium, "
                        "tramadol of andere medicijnen die op serotonine werken, bij hart- of "
                        "bloeddrukproblemen, of als psychose of een bipolaire stoornis bij jou of "
                        "in je familie voorkomt."
                    ),
                },
            },
            {
                "kind": "dosage",
                "text": {
                    "en": (
                        "High potency: even a small amount can have a strong effect. Wait at "
                        "least 90 minutes and never take more to speed things up."
                    ),
                    "nl": (
                        "Hoge sterkte: ook een kleine hoeveelheid kan sterk werken. Wacht "
                        "minstens 90 minuten en neem nooit meer om het effect te versnellen."
                    ),
                },
            },
            {
                "kind": "usage",
                "text": {
                    "en": (
                        "Never use alone or together with alcohol or other substances. Do not "
                        "drive or operate machinery until the next day."
                    ),
                    "nl": (
                        "Gebruik nooit alleen en nooit samen met alcohol of andere middelen. Rijd "
                        "geen auto en bedien geen machines tot de volgende dag."
                    ),
                },
            },
            {
                "kind": "usage",
                "text": {
                    "en": "Keep refrigerated (2–7 °C) and out of reach of children and pets.",
                    "nl": "Gekoeld bewaren (2–7 °C), buiten bereik van kinderen en huisdieren.",
                },
            },
        ],
        "allergy": _fungi_allergy(),
    },
    # ---------------------------------------------------------------- microdosing kits
    {
        "slug": "microdosing-kit-starter",
        "category": "microdosing-kits",
        "name": {"en": "Microdosing Starter Kit", "nl": "Microdosing starterskit"},
        "summary": {
            "en": (
                "One 10 g pack of mild Mexicana truffles with a 0.01 g pocket scale and a printed "
                "guide, for people starting out."
            ),
            "nl": (
                "Eén verpakking van 10 gram milde Mexicana-truffels met een zakweegschaal van "
                "0,01 gram en een gedrukte gids, voor wie net begint."
            ),
        },
        "description_md": {
            "en": _md(
                """
                Microdosing means taking an amount of a psychedelic so small that it should not
                cause noticeable effects. People who try it often say they feel more focused or
                balanced, but placebo-controlled studies have so far found little difference between
                a microdose and a placebo.

                If you have weighed that up and still want to try it, this kit gives you the basics:

                - 10 g of fresh Mexicana truffles, vacuum-packed
                - A pocket scale accurate to 0.01 g, batteries included
                - A printed guide on preparation, schedules, safety and when to stop

                The guide is not a treatment plan. Microdosing is no substitute for care from a
                doctor or psychologist.
                """
            ),
            "nl": _md(
                """
                Microdoseren betekent dat je zo'n kleine hoeveelheid van een psychedelicum neemt dat
                je er geen duidelijk effect van zou moeten merken. Mensen die het proberen, zeggen
                vaak dat ze zich meer gefocust of in balans voelen, maar onderzoeken met een
                placebogroep vinden tot nu toe weinig verschil tussen een microdosis en een placebo.

                Heb je dat afgewogen en wil je het toch proberen? Dan heb je met deze kit de basis
                in huis:

                - 10 gram verse Mexicana-truffels, vacuüm verpakt
                - Een zakweegschaal die tot op 0,01 gram nauwkeurig weegt, inclusief batterijen
                - Een gedrukte gids over voorbereiding, schema's, veiligheid en wanneer je moet
                  stoppen

                De gids is geen behandelplan. Microdoseren is geen vervanging voor zorg van een
                huisarts of psycholoog.
                """
            ),
        },
        "price_cents": 2995,
        "stock": 25,
        "min_age": 18,
        "featured": True,
        "disclaimers": [
            {
                "kind": "health",
                "text": {
                    "en": (
                        "There is no proven benefit of microdosing in humans; most evidence for "
                        "effects on the brain comes from animal and lab studies. This is not "
                        "medical advice: talk to your doctor before you start, especially if you "
                        "take medication."
                    ),
                    "nl": (
                        "Er is geen bewezen effect van microdoseren bij mensen; het meeste bewijs "
                        "voor effecten op de hersenen komt uit dier- en laboratoriumonderzoek. "
                        "Dit is geen medisch advies: overleg met je huisarts voordat je begint, "
                        "zeker als je medicijnen gebruikt."
                    ),
                },
            },
            {
                "kind": "health",
                "text": {
                    "en": (
                        "Do not microdose if you use antidepressants or lithium, have a heart "
                        "condition, are pregnant or breastfeeding, or have a personal or family "
                        "history of psychosis or bipolar disorder."
                    ),
                    "nl": (
                        "Microdoseer niet als je antidepressiva of lithium gebruikt, een "
                        "hartaandoening hebt, zwanger bent of borstvoeding geeft, of als psychose "
                        "of een bipolaire stoornis bij jou of in je familie voorkomt."
                    ),
                },
            },
            {
                "kind": "dosage",
                "text": {
                    "en": (
                        "Potency varies between truffles, even within one pack. If you notice "
                        "clear effects, the amount was not a microdose."
                    ),
                    "nl": (
                        "De sterkte verschilt per truffel, zelfs binnen één verpakking. Merk je "
                        "duidelijke effecten, dan was het geen microdosis."
                    ),
                },
            },
            {
                "kind": "usage",
                "text": {
                    "en": (
                        "Do not drive or operate machinery on days you take a dose, and keep the "
                        "kit out of reach of children."
                    ),
                    "nl": (
                        "Rijd geen auto en bedien geen machines op dagen dat je een dosis neemt, "
                        "en bewaar de kit buiten bereik van kinderen."
                    ),
                },
            },
        ],
        "allergy": _fungi_allergy(),
    },
    {
        "slug": "microdosing-kit-complete",
        "category": "microdosing-kits",
        "name": {"en": "Microdosing Complete Kit", "nl": "Microdosing kit compleet"},
        "summary": {
            "en": (
                "Two sealed 10 g packs of Mexicana truffles, a 0.01 g scale, a storage tin and "
                "our microdose journal in one box."
            ),
            "nl": (
                "Twee afgesloten verpakkingen Mexicana-truffels van 10 gram, een weegschaal van "
                "0,01 gram, een bewaarblik en ons microdoseerdagboek in één doos."
            ),
        },
        "description_md": {
            "en": _md(
                """
                The complete kit is for people who want to keep careful notes. The truffles come in
                two separate packs, so the second stays sealed and fresh in the fridge while you use
                the first.

                ## In the box
                - 2 × 10 g fresh Mexicana truffles, vacuum-packed
                - Digital scale, 0.01 g accuracy, with calibration weight
                - Airtight storage tin
                - Microdose journal with space for daily notes on sleep, mood and side effects

                Writing things down helps you notice what really happens rather than what you expect
                to happen. If your notes show that you feel worse, or no different at all, that is a
                good reason to stop.
                """
            ),
            "nl": _md(
                """
                De complete kit is voor wie alles zorgvuldig wil bijhouden. De truffels zitten in
                twee aparte verpakkingen, zodat de tweede gesloten en vers in de koelkast blijft
                terwijl je de eerste gebruikt.

                ## In de doos
                - 2 × 10 gram verse Mexicana-truffels, vacuüm verpakt
                - Digitale weegschaal, nauwkeurig tot 0,01 gram, met kalibratiegewicht
                - Luchtdicht bewaarblik
                - Microdoseerdagboek met ruimte voor dagelijkse notities over slaap, stemming en
                  bijwerkingen

                Door dingen op te schrijven zie je beter wat er echt gebeurt, in plaats van wat je
                verwacht. Laten je notities zien dat je je slechter voelt, of dat je helemaal niets
                merkt? Dan is dat een goede reden om te stoppen.
                """
            ),
        },
        "price_cents": 4495,
        "stock": 14,
        "min_age": 18,
        "featured": False,
        "disclaimers": [
            {
                "kind": "health",
                "text": {
                    "en": (
                        "Placebo-controlled studies of microdosing have found little or no "
                        "difference from placebo, and no health benefit has been proven in "
                        "humans. This kit is not a treatment and this is not medical advice."
                    ),
                    "nl": (
                        "Onderzoeken met een placebogroep vonden weinig tot geen verschil tussen "
                        "microdoseren en een placebo, en bij mensen is geen gezondheidseffect "
                        "bewezen. Deze kit is geen behandeling en dit is geen medisch advies."
                    ),
                },
            },
            {
                "kind": "health",
                "text": {
                    "en": (
                        "Do not use with antidepressants, lithium or other psychiatric "
                        "medication, with heart problems, or if you or a close relative has had "
                        "psychosis or bipolar disorder. Ask your doctor if you are unsure."
                    ),
                    "nl": (
                        "Niet gebruiken met antidepressiva, lithium of andere psychiatrische "
                        "medicatie, bij hartproblemen, of als jij of een naast familielid een "
                        "psychose of bipolaire stoornis heeft gehad. Vraag je huisarts als je "
                        "twijfelt."
                    ),
                },
            },
            {
                "kind": "dosage",
                "text": {
                    "en": (
                        "The long-term effects of repeated microdosing are unknown. Take regular "
                        "breaks and do not gradually increase the amount."
                    ),
                    "nl": (
                        "De gevolgen van langdurig en herhaald microdoseren zijn onbekend. Las "
                        "regelmatig pauzes in en verhoog de hoeveelheid niet stap voor stap."
                    ),
                },
            },
            {
                "kind": "usage",
                "text": {
                    "en": (
                        "Don't combine with alcohol or other substances, and don't drive or "
                        "operate machinery on days you take a microdose."
                    ),
                    "nl": (
                        "Combineer niet met alcohol of andere middelen, en rijd geen auto en "
                        "bedien geen machines op dagen dat je microdoseert."
                    ),
                },
            },
            {
                "kind": "legal",
                "text": {
                    "en": (
                        "For adults aged 18 and over. Truffles are legal to sell in the "
                        "Netherlands but illegal in many other countries."
                    ),
                    "nl": (
                        "Voor volwassenen van 18 jaar en ouder. Truffels mogen in Nederland "
                        "verkocht worden, maar zijn in veel andere landen verboden."
                    ),
                },
            },
        ],
        "allergy": _fungi_allergy(),
    },
    # ---------------------------------------------------------------- grow kits
    {
        "slug": "grow-kit-golden-teacher",
        "category": "grow-kits",
        "name": {"en": "Grow Kit Golden Teacher", "nl": "Growkit Golden Teacher"},
        "summary": {
            "en": (
                "A ready-to-grow Psilocybe cubensis Golden Teacher kit that usually fruits at "
                "room temperature within two to three weeks."
            ),
            "nl": (
                "Een kant-en-klare growkit met Psilocybe cubensis Golden Teacher, die op "
                "kamertemperatuur meestal binnen twee à drie weken vrucht draagt."
            ),
        },
        "description_md": {
            "en": _md(
                """
                Golden Teacher is one of the best-known varieties of *Psilocybe cubensis*, popular
                with beginners because it grows steadily and rarely fails. The kit arrives fully
                colonised: open the box, place it in the grow bag and mist it twice a day.

                ## How it works
                - Keep the kit at 21–27 °C, out of direct sunlight.
                - The first mushrooms usually appear within 2–3 weeks.
                - With care you can get two to four flushes from one kit.

                Harvest the mushrooms just before the veil under the cap tears. If you want to start
                later, the unopened kit keeps for about four weeks in the fridge.
                """
            ),
            "nl": _md(
                """
                Golden Teacher is een van de bekendste variëteiten van *Psilocybe cubensis* en
                geliefd bij beginners, omdat hij gestaag groeit en zelden mislukt. De kit komt
                volledig doorgroeid bij je aan: doos open, in de kweekzak zetten en twee keer per
                dag besproeien.

                ## Zo werkt het
                - Houd de kit op 21–27 °C, uit direct zonlicht.
                - De eerste paddenstoelen verschijnen meestal binnen 2–3 weken.
                - Met goede zorg haal je twee tot vier oogsten uit één kit.

                Oogst de paddenstoelen net voordat het vliesje onder de hoed scheurt. Wil je later
                beginnen? Ongeopend blijft de kit ongeveer vier weken goed in de koelkast.
                """
            ),
        },
        "price_cents": 3695,
        "stock": 20,
        "min_age": 18,
        "featured": True,
        "disclaimers": [
            {
                "kind": "legal",
                "text": {
                    "en": (
                        "Sold to adults aged 18 and over only. Rules on growing psilocybin "
                        "mushrooms differ per country and can change; it is your responsibility "
                        "to check local law. Harvested mushrooms may not be sold or passed on."
                    ),
                    "nl": (
                        "Alleen te koop voor volwassenen van 18 jaar en ouder. De regels voor het "
                        "kweken van psilocybinepaddenstoelen verschillen per land en kunnen "
                        "veranderen; je bent zelf verantwoordelijk voor het checken van de wet. "
                        "Geoogste paddenstoelen mag je niet verkopen of doorgeven."
                    ),
                },
            },
            {
                "kind": "health",
                "text": {
                    "en": (
                        "Fresh mushrooms vary in strength far more than truffles do. This is not "
                        "medical advice; do not use them if you take psychiatric medication, have "
                        "heart problems or have a personal or family history of mental illness."
                    ),
                    "nl": (
                        "Verse paddenstoelen verschillen veel sterker in kracht dan truffels. Dit "
                        "is geen medisch advies; niet gebruiken als je psychiatrische medicatie "
                        "gebruikt, hartproblemen hebt of als psychische aandoeningen bij jou of "
                        "in je familie voorkomen."
                    ),
                },
            },
            {
                "kind": "usage",
                "text": {
                    "en": (
                        "Never combine with alcohol or other drugs, and do not drive or operate "
                        "machinery after use."
                    ),
                    "nl": (
                        "Nooit combineren met alcohol of andere drugs, en na gebruik geen auto "
                        "rijden of machines bedienen."
                    ),
                },
            },
            {
                "kind": "usage",
                "text": {
                    "en": (
                        "Keep the kit and any harvest out of reach of children and pets, and "
                        "label dried mushrooms clearly."
                    ),
                    "nl": (
                        "Bewaar de kit en de oogst buiten bereik van kinderen en huisdieren, en "
                        "label gedroogde paddenstoelen duidelijk."
                    ),
                },
            },
        ],
        "allergy": _fungi_allergy(),
    },
    {
        "slug": "grow-kit-b-plus",
        "category": "grow-kits",
        "name": {"en": "Grow Kit B+", "nl": "Growkit B+"},
        "summary": {
            "en": (
                "A Psilocybe cubensis B+ grow kit known for large, caramel-coloured caps, "
                "delivered fully colonised and ready to start."
            ),
            "nl": (
                "Een growkit met Psilocybe cubensis B+, bekend om de grote karamelkleurige "
                "hoeden, volledig doorgroeid en klaar om te starten."
            ),
        },
        "description_md": {
            "en": _md(
                """
                B+ is a *Psilocybe cubensis* variety known for its large, caramel-coloured caps and
                its tolerance of small swings in temperature. That makes it a good choice if your
                home is not always equally warm.

                Everything you need is in the box: the colonised substrate, a grow bag with a filter
                patch, paper clips and instructions in Dutch and English. All you add is a spray
                bottle with clean tap water.

                Expect the first flush after two to three weeks at 20–26 °C. Between flushes, soak
                the substrate in cold water for a few hours so it can take up moisture again.
                """
            ),
            "nl": _md(
                """
                B+ is een variëteit van *Psilocybe cubensis* die bekendstaat om de grote,
                karamelkleurige hoeden en de tolerantie voor kleine temperatuurschommelingen. Handig
                als het bij jou thuis niet altijd even warm is.

                Alles wat je nodig hebt zit in de doos: het doorgroeide substraat, een kweekzak met
                filter, paperclips en een handleiding in het Nederlands en Engels. Je hebt alleen
                nog een plantenspuit met schoon kraanwater nodig.

                Reken op de eerste oogst na twee tot drie weken bij 20–26 °C. Leg het substraat
                tussen twee oogsten een paar uur in koud water, zodat het weer vocht kan opnemen.
                """
            ),
        },
        "price_cents": 3495,
        "stock": 16,
        "min_age": 18,
        "featured": False,
        "disclaimers": [
            {
                "kind": "legal",
                "text": {
                    "en": (
                        "Adults 18+ only. Growing psilocybin mushrooms is illegal in many "
                        "countries; check the rules where you live before you order."
                    ),
                    "nl": (
                        "Alleen voor volwassenen van 18+. Het kweken van psilocybinepaddenstoelen "
                        "is in veel landen verboden; controleer de regels waar je woont voordat "
                        "je bestelt."
                    ),
                },
            },
            {
                "kind": "health",
                "text": {
                    "en": (
                        "Not medical advice. Psilocybin mushrooms are not suitable if you have a "
                        "heart condition, take antidepressants or lithium, or have a personal or "
                        "family history of mental illness."
                    ),
                    "nl": (
                        "Geen medisch advies. Psilocybinepaddenstoelen zijn niet geschikt als je "
                        "een hartaandoening hebt, antidepressiva of lithium gebruikt, of als "
                        "psychische aandoeningen bij jou of in je familie voorkomen."
                    ),
                },
            },
            {
                "kind": "usage",
                "text": {
                    "en": (
                        "Do not eat mushrooms that look or smell unusual, show coloured mould or "
                        "grew from a contaminated kit. Don't combine with alcohol or other drugs, "
                        "and don't drive after use."
                    ),
                    "nl": (
                        "Eet geen paddenstoelen die er vreemd uitzien of raar ruiken, gekleurde "
                        "schimmel vertonen of uit een besmette kit komen. Niet combineren met "
                        "alcohol of andere drugs, en na gebruik niet autorijden."
                    ),
                },
            },
        ],
        "allergy": _fungi_allergy(),
    },
    {
        "slug": "grow-kit-lions-mane",
        "category": "grow-kits",
        "name": {"en": "Grow Kit Lion's Mane", "nl": "Growkit pruikzwam (Lion's Mane)"},
        "summary": {
            "en": (
                "Grow your own Lion's Mane on a block of hardwood sawdust: a culinary mushroom "
                "with no psychoactive effects."
            ),
            "nl": (
                "Kweek je eigen pruikzwam op een blok loofhoutzaagsel: een eetbare paddenstoel "
                "zonder psychoactieve werking."
            ),
        },
        "description_md": {
            "en": _md(
                """
                Lion's Mane (*Hericium erinaceus*) grows as a white, shaggy ball of soft spines. It
                is a culinary mushroom with no psychoactive effects, and it is easy to grow at home.

                Cut a cross in the plastic, place the block somewhere bright but out of direct sun
                and mist the opening twice a day. At 18–24 °C the first mushroom usually appears
                within two weeks.

                ## In the kitchen
                Pick it while the spines are still short and white. Tear it into pieces, fry it in a
                dry pan first, then add butter or oil and a pinch of salt. The texture is often
                compared to crab or lobster.
                """
            ),
            "nl": _md(
                """
                De pruikzwam (*Hericium erinaceus*), in het Engels Lion's Mane, groeit als een
                witte, ruige bal van zachte stekels. Het is een eetbare paddenstoel zonder
                psychoactieve werking, en thuis kweken is eenvoudig.

                Snijd een kruis in het plastic, zet het blok op een lichte plek uit direct zonlicht
                en besproei de opening twee keer per dag. Bij 18–24 °C verschijnt de eerste
                paddenstoel meestal binnen twee weken.

                ## In de keuken
                Pluk hem zolang de stekels nog kort en wit zijn. Scheur hem in stukken, bak hem
                eerst in een droge pan en voeg dan boter of olie en een snufje zout toe. De
                structuur wordt vaak vergeleken met krab of kreeft.
                """
            ),
        },
        "price_cents": 3195,
        "stock": 22,
        "min_age": 18,
        "featured": False,
        "disclaimers": [
            {
                "kind": "health",
                "text": {
                    "en": (
                        "We sell Lion's Mane as a food. Claims that it improves memory or nerve "
                        "health have not been proven in humans; most studies were done in cells "
                        "and animals."
                    ),
                    "nl": (
                        "Wij verkopen pruikzwam als voedingsmiddel. Beweringen dat hij het "
                        "geheugen of de zenuwen verbetert, zijn bij mensen niet bewezen; de "
                        "meeste studies zijn gedaan met cellen en proefdieren."
                    ),
                },
            },
            {
                "kind": "usage",
                "text": {
                    "en": (
                        "Cook the mushrooms before eating. Throw the block away if green, black "
                        "or pink mould appears."
                    ),
                    "nl": (
                        "Bak of kook de paddenstoelen voordat je ze eet. Gooi het blok weg als er "
                        "groene, zwarte of roze schimmel op verschijnt."
                    ),
                },
            },
        ],
        "allergy": _fungi_allergy(),
    },
    # ---------------------------------------------------------------- medicinal mushrooms
    {
        "slug": "lions-mane-capsules",
        "category": "medicinal-mushrooms",
        "name": {
            "en": "Lion's Mane Capsules – 60 × 500 mg",
            "nl": "Lion's Mane capsules (pruikzwam) – 60 × 500 mg",
        },
        "summary": {
            "en": (
                "Sixty vegan capsules, each with 500 mg of Lion's Mane fruiting-body extract from "
                "mushrooms grown in Europe."
            ),
            "nl": (
                "Zestig vegan capsules met elk 500 mg extract van het vruchtlichaam van de "
                "pruikzwam, gekweekt in Europa."
            ),
        },
        "description_md": {
            "en": _md(
                """
                Each capsule contains 500 mg of a hot-water extract of the Lion's Mane fruiting body
                (*Hericium erinaceus*) in a plant-based capsule. No fillers, no flow agents.

                Lion's Mane has been studied in the lab and in animals, mostly because of compounds
                called hericenones and erinacines. Human studies are few and small, and their
                results do not allow any firm conclusions. No health claims for Lion's Mane have
                been approved in the EU.

                ## Use
                - 1 capsule twice a day with water, preferably with a meal
                - Do not exceed the recommended daily dose of 2 capsules
                """
            ),
            "nl": _md(
                """
                Elke capsule bevat 500 mg heetwaterextract van het vruchtlichaam van de pruikzwam
                (*Hericium erinaceus*) in een plantaardige capsule. Zonder vulstoffen en zonder
                antiklontermiddelen.

                Pruikzwam is onderzocht in het laboratorium en bij dieren, vooral vanwege stoffen
                die hericenonen en erinacinen heten. Onderzoek bij mensen is schaars en
                kleinschalig, en de resultaten laten geen harde conclusies toe. In de EU zijn geen
                gezondheidsclaims voor pruikzwam goedgekeurd.

                ## Gebruik
                - 2 keer per dag 1 capsule met water, bij voorkeur bij een maaltijd
                - Overschrijd de aanbevolen dagdosis van 2 capsules niet
                """
            ),
        },
        "price_cents": 2495,
        "stock": 70,
        "min_age": 18,
        "featured": True,
        "disclaimers": [
            {
                "kind": "health",
                "text": {
                    "en": (
                        "There is no proven effect in humans: research on Lion's Mane has mainly "
                        "been done in cells and animals. This is not medical advice."
                    ),
                    "nl": (
                        "Er is geen bewezen effect bij mensen: onderzoek naar pruikzwam is vooral "
                        "gedaan met cellen en proefdieren. Dit is geen medisch advies."
                    ),
                },
            },
            {
                "kind": "dosage",
                "text": {
                    "en": "Do not exceed the recommended daily dose of 2 capsules.",
                    "nl": "Overschrijd de aanbevolen dagelijkse dosis van 2 capsules niet.",
                },
            },
            {
                "kind": "health",
                "text": {
                    "en": (
                        "A food supplement is not a substitute for a varied, balanced diet and a "
                        "healthy lifestyle."
                    ),
                    "nl": (
                        "Een voedingssupplement is geen vervanging voor een gevarieerd en "
                        "evenwichtig voedingspatroon en een gezonde leefstijl."
                    ),
                },
            },
            {
                "kind": "health",
                "text": {
                    "en": (
                        "Not recommended during pregnancy or breastfeeding. If you take "
                        "medication, such as blood thinners or diabetes medication, ask your "
                        "doctor or pharmacist first."
                    ),
                    "nl": (
                        "Niet aanbevolen tijdens de zwangerschap of als je borstvoeding geeft. "
                        "Gebruik je medicijnen, zoals bloedverdunners of diabetesmedicatie, vraag "
                        "dan eerst je huisarts of apotheker om advies."
                    ),
                },
            },
            {
                "kind": "usage",
                "text": {
                    "en": "Store in a cool, dry place, out of reach of young children.",
                    "nl": "Koel en droog bewaren, buiten bereik van jonge kinderen.",
                },
            },
        ],
        "allergy": _fungi_allergy(),
    },
    {
        "slug": "lions-mane-powder",
        "category": "medicinal-mushrooms",
        "name": {
            "en": "Lion's Mane Powder – 100 g",
            "nl": "Lion's Mane poeder (pruikzwam) – 100 gram",
        },
        "summary": {
            "en": (
                "100 g of dried, finely ground Lion's Mane fruiting body to stir into coffee, "
                "soup or a smoothie."
            ),
            "nl": (
                "100 gram gedroogd, fijngemalen vruchtlichaam van de pruikzwam, om door koffie, "
                "soep of een smoothie te roeren."
            ),
        },
        "description_md": {
            "en": _md(
                """
                This powder is nothing more than Lion's Mane fruiting bodies, gently dried and
                finely ground. It has a mild, slightly savoury taste that disappears easily into
                coffee, cocoa, soup or a smoothie.

                The recommended amount is one level teaspoon (about 2 g) a day. A measuring scoop is
                included in the resealable pouch.

                Interest in Lion's Mane comes largely from lab and animal research; studies in
                people are small and inconclusive. Enjoy it as a food, not as a remedy.
                """
            ),
            "nl": _md(
                """
                Dit poeder is niets meer dan vruchtlichamen van de pruikzwam, voorzichtig gedroogd
                en fijngemalen. Het heeft een milde, licht hartige smaak die makkelijk verdwijnt in
                koffie, cacao, soep of een smoothie.

                De aanbevolen hoeveelheid is één afgestreken theelepel (ongeveer 2 gram) per dag. In
                de hersluitbare zak zit een maatschepje.

                De belangstelling voor pruikzwam komt vooral uit laboratorium- en dieronderzoek;
                studies bij mensen zijn klein en geven geen uitsluitsel. Gebruik het als voeding,
                niet als middel tegen klachten.
                """
            ),
        },
        "price_cents": 2750,
        "stock": 40,
        "min_age": 18,
        "featured": False,
        "disclaimers": [
            {
                "kind": "dosage",
                "text": {
                    "en": "Do not exceed the recommended daily amount of one level teaspoon (2 g).",
                    "nl": (
                        "Neem niet meer dan de aanbevolen dagelijkse hoeveelheid van één "
                        "afgestreken theelepel (2 gram)."
                    ),
                },
            },
            {
                "kind": "health",
                "text": {
                    "en": (
                        "Food supplements should not replace a varied diet. Not advised during "
                        "pregnancy or breastfeeding, as its safety there has not been studied."
                    ),
                    "nl": (
                        "Voedingssupplementen zijn geen vervanging voor gevarieerd eten. Niet "
                        "aanbevolen tijdens de zwangerschap of borstvoeding, omdat de veiligheid "
                        "daarvan niet is onderzocht."
                    ),
                },
            },
            {
                "kind": "health",
                "text": {
                    "en": (
                        "Not medical advice. Stop using it and contact a doctor if you develop a "
                        "rash, itching or breathing difficulties."
                    ),
                    "nl": (
                        "Geen medisch advies. Stop met gebruiken en neem contact op met een arts "
                        "als je huiduitslag, jeuk of benauwdheid krijgt."
                    ),
                },
            },
            {
                "kind": "usage",
                "text": {
                    "en": (
                        "Reseal after use and store dry, below 25 °C and out of reach of children."
                    ),
                    "nl": (
                        "Na gebruik goed sluiten en droog bewaren, onder 25 °C en buiten bereik "
                        "van kinderen."
                    ),
                },
            },
        ],
        "allergy": _fungi_allergy(),
    },
    {
        "slug": "reishi-extract-capsules",
        "category": "medicinal-mushrooms",
        "name": {
            "en": "Reishi Extract Capsules – 60 × 400 mg",
            "nl": "Reishi-extract capsules – 60 × 400 mg",
        },
        "summary": {
            "en": (
                "Sixty capsules of dual-extracted reishi (Ganoderma lucidum) fruiting body, 400 "
                "mg of extract per capsule."
            ),
            "nl": (
                "Zestig capsules met dubbel geëxtraheerde reishi (Ganoderma lucidum), 400 mg "
                "vruchtlichaamextract per capsule."
            ),
        },
        "description_md": {
            "en": _md(
                """
                Reishi (*Ganoderma lucidum*) is a hard, glossy bracket fungus with centuries of use
                in East Asian traditions. It is far too woody to eat, so it is usually taken as a
                tea or an extract.

                Our reishi is extracted twice, first with hot water and then with alcohol, and dried
                to a powder; the alcohol evaporates during drying. Each capsule contains 400 mg of
                extract.

                Reishi is the subject of many lab and animal studies, but good-quality human trials
                are scarce and no health claims have been approved for it in the EU. Take one
                capsule a day with a meal.
                """
            ),
            "nl": _md(
                """
                Reishi (*Ganoderma lucidum*, in het Nederlands glanzende lakzwam) is een harde,
                glanzende houtzwam die al eeuwenlang wordt gebruikt in Oost-Aziatische tradities.
                Hij is veel te houtig om te eten en wordt daarom meestal als thee of extract
                gebruikt.

                Onze reishi wordt twee keer geëxtraheerd, eerst met heet water en daarna met
                alcohol, en vervolgens tot poeder gedroogd; de alcohol verdampt tijdens het drogen.
                Elke capsule bevat 400 mg extract.

                Er is veel laboratorium- en dieronderzoek naar reishi gedaan, maar goede studies bij
                mensen zijn schaars en in de EU zijn er geen gezondheidsclaims voor goedgekeurd.
                Neem één capsule per dag bij een maaltijd.
                """
            ),
        },
        "price_cents": 2295,
        "stock": 33,
        "min_age": 18,
        "featured": False,
        "disclaimers": [
            {
                "kind": "dosage",
                "text": {
                    "en": "Recommended dose: 1 capsule a day. Do not exceed this dose.",
                    "nl": "Aanbevolen dosering: 1 capsule per dag. Neem niet meer dan deze dosis.",
                },
            },
            {
                "kind": "health",
                "text": {
                    "en": (
                        "If you take blood thinners or blood-pressure medication, or have surgery "
                        "coming up, ask your doctor before using reishi. This is not medical "
                        "advice."
                    ),
                    "nl": (
                        "Gebruik je bloedverdunners of bloeddrukverlagers, of staat er een "
                        "operatie gepland? Overleg dan eerst met je arts voordat je reishi "
                        "gebruikt. Dit is geen medisch advies."
                    ),
                },
            },
            {
                "kind": "health",
                "text": {
                    "en": (
                        "Not for use during pregnancy or breastfeeding. A food supplement is not "
                        "a substitute for a varied diet."
                    ),
                    "nl": (
                        "Niet gebruiken tijdens de zwangerschap of als je borstvoeding geeft. Een "
                        "voedingssupplement is geen vervanging voor een gevarieerd "
                        "voedingspatroon."
                    ),
                },
            },
            {
                "kind": "usage",
                "text": {
                    "en": (
                        "Keep out of reach of young children. Store closed, dry and away from "
                        "direct sunlight."
                    ),
                    "nl": (
                        "Buiten bereik van jonge kinderen houden. Gesloten, droog en uit direct "
                        "zonlicht bewaren."
                    ),
                },
            },
        ],
        "allergy": _fungi_allergy(),
    },
    {
        "slug": "cordyceps-militaris-capsules",
        "category": "medicinal-mushrooms",
        "name": {
            "en": "Cordyceps Militaris Capsules – 60 × 500 mg",
            "nl": "Cordyceps militaris capsules – 60 × 500 mg",
        },
        "summary": {
            "en": (
                "Sixty capsules of Cordyceps militaris, cultivated on a grain substrate without "
                "insects, 500 mg per capsule."
            ),
            "nl": (
                "Zestig capsules met Cordyceps militaris, zonder insecten gekweekt op een "
                "graansubstraat, 500 mg per capsule."
            ),
        },
        "description_md": {
            "en": _md(
                """
                In the wild, *Cordyceps* fungi grow on insect larvae. The *Cordyceps militaris* in
                these capsules is cultivated on a grain substrate instead, so no insects are
                involved.

                Each capsule contains 500 mg of dried, ground fruiting body. Because the mushrooms
                grow on grain, the capsules may contain traces of gluten.

                Cordyceps is popular with athletes, but the human studies behind that popularity are
                small and their results inconsistent. No health claims have been approved for
                cordyceps in the EU. Take one capsule with breakfast.
                """
            ),
            "nl": _md(
                """
                In het wild groeien *Cordyceps*-schimmels op insectenlarven. De *Cordyceps
                militaris* in deze capsules wordt in plaats daarvan op een graansubstraat gekweekt,
                dus er komen geen insecten aan te pas.

                Elke capsule bevat 500 mg gedroogd en gemalen vruchtlichaam. Omdat de paddenstoelen
                op graan groeien, kunnen de capsules sporen van gluten bevatten.

                Cordyceps is populair bij sporters, maar de studies bij mensen waarop die
                populariteit berust, zijn klein en hun resultaten wisselend. In de EU zijn voor
                cordyceps geen gezondheidsclaims goedgekeurd. Neem één capsule bij het ontbijt.
                """
            ),
        },
        "price_cents": 2695,
        "stock": 27,
        "min_age": 18,
        "featured": False,
        "disclaimers": [
            {
                "kind": "dosage",
                "text": {
                    "en": (
                        "Take no more than 1 capsule a day; do not exceed the recommended daily "
                        "dose."
                    ),
                    "nl": (
                        "Neem niet meer dan 1 capsule per dag; overschrijd de aanbevolen dagdosis "
                        "niet."
                    ),
                },
            },
            {
                "kind": "health",
                "text": {
                    "en": (
                        "Effects on performance or energy have not been proven in humans; most "
                        "research has been done in animals. Not medical advice."
                    ),
                    "nl": (
                        "Effecten op prestaties of energie zijn bij mensen niet bewezen; het "
                        "meeste onderzoek is bij dieren gedaan. Geen medisch advies."
                    ),
                },
            },
            {
                "kind": "health",
                "text": {
                    "en": (
                        "Not suitable during pregnancy or breastfeeding, or if you take blood "
                        "thinners, diabetes medication or immunosuppressants, unless your doctor "
                        "agrees."
                    ),
                    "nl": (
                        "Niet geschikt tijdens de zwangerschap of borstvoeding, of als je "
                        "bloedverdunners, diabetesmedicatie of afweeronderdrukkende medicijnen "
                        "gebruikt, tenzij je arts ermee akkoord is."
                    ),
                },
            },
            {
                "kind": "usage",
                "text": {
                    "en": (
                        "Store in a dry place out of reach of children. A supplement is no "
                        "substitute for a varied diet."
                    ),
                    "nl": (
                        "Droog en buiten bereik van kinderen bewaren. Een supplement is geen "
                        "vervanging voor gevarieerd eten."
                    ),
                },
            },
        ],
        "allergy": _fungi_allergy(
            ("gluten", "may_contain"),
            extra_en="Grown on a grain substrate: may contain traces of gluten.",
            extra_nl="Gekweekt op graan: kan sporen van gluten bevatten.",
        ),
    },
    {
        "slug": "chaga-powder",
        "category": "medicinal-mushrooms",
        "name": {"en": "Chaga Powder – 50 g", "nl": "Chaga poeder – 50 gram"},
        "summary": {
            "en": (
                "50 g of ground chaga from Finnish birch forests, traditionally brewed as a dark, "
                "earthy tea."
            ),
            "nl": (
                "50 gram gemalen chaga uit Finse berkenbossen, van oudsher gezet als donkere, "
                "aardse thee."
            ),
        },
        "description_md": {
            "en": _md(
                """
                Chaga (*Inonotus obliquus*) forms black, cracked growths on birch trees in cold
                northern forests. Ours is collected by hand in Finland, then dried and ground.

                In Finland, Russia and the Baltic states chaga has long been brewed as a tea. Simmer
                one teaspoon in half a litre of water for 15–20 minutes, strain and drink; the taste
                is earthy and slightly bitter.

                Chaga is naturally high in oxalate, which can strain the kidneys at high intakes.
                Stick to the recommended amount, and do not use it if you have kidney problems or
                have had kidney stones. Research on chaga in humans is very limited.
                """
            ),
            "nl": _md(
                """
                Chaga (*Inonotus obliquus*, de berkenweerschijnzwam) vormt zwarte, gebarsten
                uitgroeisels op berken in koude noordelijke bossen. Onze chaga wordt in Finland met
                de hand verzameld en daarna gedroogd en gemalen.

                In Finland, Rusland en de Baltische staten wordt chaga al lang als thee gezet. Laat
                één theelepel 15 tot 20 minuten zachtjes koken in een halve liter water, zeef en
                drink; de smaak is aards en licht bitter.

                Chaga bevat van nature veel oxalaat, wat bij een hoge inname de nieren kan belasten.
                Houd je aan de aanbevolen hoeveelheid en gebruik het niet als je nierproblemen hebt
                of nierstenen hebt gehad. Onderzoek naar chaga bij mensen is zeer beperkt.
                """
            ),
        },
        "price_cents": 1995,
        "stock": 19,
        "min_age": 18,
        "featured": False,
        "disclaimers": [
            {
                "kind": "dosage",
                "text": {
                    "en": (
                        "Do not exceed the recommended daily amount of one teaspoon (about 1.5 g)."
                    ),
                    "nl": (
                        "Overschrijd de aanbevolen dagelijkse hoeveelheid van één theelepel "
                        "(ongeveer 1,5 gram) niet."
                    ),
                },
            },
            {
                "kind": "health",
                "text": {
                    "en": (
                        "Not for people with kidney disease or kidney stones, or who take blood "
                        "thinners or diabetes medication, unless their doctor agrees. Not medical "
                        "advice."
                    ),
                    "nl": (
                        "Niet voor mensen met een nierziekte of nierstenen, of die "
                        "bloedverdunners of diabetesmedicatie gebruiken, tenzij hun arts akkoord "
                        "is. Geen medisch advies."
                    ),
                },
            },
            {
                "kind": "health",
                "text": {
                    "en": (
                        "Do not use during pregnancy or breastfeeding. A food supplement does not "
                        "replace a varied diet."
                    ),
                    "nl": (
                        "Niet gebruiken tijdens de zwangerschap of als je borstvoeding geeft. Een "
                        "voedingssupplement vervangt geen gevarieerd voedingspatroon."
                    ),
                },
            },
            {
                "kind": "usage",
                "text": {
                    "en": "Store airtight and dry, out of reach of children.",
                    "nl": "Luchtdicht en droog bewaren, buiten bereik van kinderen.",
                },
            },
        ],
        "allergy": _fungi_allergy(
            ("nuts", "may_contain"),
            extra_en="Packed in a facility that also handles tree nuts.",
            extra_nl="Verpakt in een ruimte waar ook noten worden verwerkt.",
        ),
    },
    # ---------------------------------------------------------------- accessories
    {
        "slug": "digital-scale-0-01g",
        "category": "accessories",
        "name": {
            "en": "Digital Precision Scale 0.01 g",
            "nl": "Digitale precisieweegschaal 0,01 gram",
        },
        "summary": {
            "en": (
                "A pocket-sized digital scale that weighs up to 100 g in steps of 0.01 g, with "
                "calibration weight and protective lid."
            ),
            "nl": (
                "Een digitale zakweegschaal die tot 100 gram weegt in stappen van 0,01 gram, met "
                "kalibratiegewicht en beschermdeksel."
            ),
        },
        "description_md": {
            "en": _md(
                """
                Small amounts are hard to judge by eye. This scale weighs up to 100 g with a
                resolution of 0.01 g, so you know exactly what you are measuring.

                ## Features
                - Stainless-steel weighing surface with a hinged lid that doubles as a tray
                - Tare function, automatic switch-off and a backlit display
                - Units: g, oz, ct and gn
                - 100 g calibration weight and two AAA batteries included

                Calibrate it when you first use it and whenever you move it somewhere else. Keep it
                away from moisture and never put more than 100 g on it.
                """
            ),
            "nl": _md(
                """
                Kleine hoeveelheden zijn lastig op het oog te schatten. Deze weegschaal weegt tot
                100 gram met een nauwkeurigheid van 0,01 gram, zodat je precies weet wat je afweegt.

                ## Kenmerken
                - Roestvrijstalen weegplateau met een scharnierend deksel dat ook als schaaltje
                  dient
                - Tarrafunctie, automatische uitschakeling en verlicht display
                - Eenheden: g, oz, ct en gn
                - Kalibratiegewicht van 100 gram en twee AAA-batterijen inbegrepen

                Kalibreer hem bij het eerste gebruik en telkens als je hem naar een andere plek
                verplaatst. Houd hem uit de buurt van vocht en leg er nooit meer dan 100 gram op.
                """
            ),
        },
        "price_cents": 1795,
        "stock": 42,
        "min_age": 18,
        "featured": True,
        "disclaimers": [
            {
                "kind": "usage",
                "text": {
                    "en": (
                        "Not approved for trade use. Keep the calibration weight and batteries "
                        "out of reach of children."
                    ),
                    "nl": (
                        "Niet geijkt voor handelsdoeleinden. Houd het kalibratiegewicht en de "
                        "batterijen buiten bereik van kinderen."
                    ),
                },
            },
            {
                "kind": "dosage",
                "text": {
                    "en": (
                        "Accurate weighing does not make use risk-free: the strength of truffles "
                        "and mushrooms differs per batch, however precisely you weigh."
                    ),
                    "nl": (
                        "Nauwkeurig wegen maakt gebruik niet risicoloos: de sterkte van truffels "
                        "en paddenstoelen verschilt per partij, hoe precies je ook weegt."
                    ),
                },
            },
        ],
        "allergy": _no_known_allergens(),
    },
    {
        "slug": "microdose-journal",
        "category": "accessories",
        "name": {"en": "Microdose Journal", "nl": "Microdoseerdagboek"},
        "summary": {
            "en": (
                "A 120-page A5 notebook with guided pages to record amounts, sleep, mood and side "
                "effects over twelve weeks."
            ),
            "nl": (
                "Een A5-notitieboek van 120 pagina's met invulpagina's om twaalf weken lang "
                "hoeveelheden, slaap, stemming en bijwerkingen bij te houden."
            ),
        },
        "description_md": {
            "en": _md(
                """
                Memory is unreliable, and expectations colour how we remember things. This journal
                helps you keep honest, day-by-day notes.

                Each week has a spread with space for what you took and when, how you slept, your
                mood on a simple scale and anything unusual. Every four weeks there is a review page
                to look back and decide whether to continue, change something or stop.

                Printed in the Netherlands on recycled paper, with a lay-flat binding and an elastic
                closure.
                """
            ),
            "nl": _md(
                """
                Ons geheugen is onbetrouwbaar, en verwachtingen kleuren hoe we ons dingen
                herinneren. Met dit dagboek houd je eerlijk en dag voor dag bij hoe het gaat.

                Elke week heeft een dubbele pagina voor wat je nam en wanneer, hoe je sliep, je
                stemming op een eenvoudige schaal en alles wat je opviel. Om de vier weken is er een
                evaluatiepagina om terug te kijken en te beslissen of je doorgaat, iets verandert of
                stopt.

                Gedrukt in Nederland op gerecycled papier, met een binding die plat openvalt en een
                elastieken sluiting.
                """
            ),
        },
        "price_cents": 1250,
        "stock": 55,
        "min_age": 18,
        "featured": False,
        "disclaimers": [
            {
                "kind": "health",
                "text": {
                    "en": (
                        "This journal is for personal reflection, not a medical or diagnostic "
                        "tool. If your notes show your mood or sleep getting worse, stop and talk "
                        "to your GP. If you have thoughts of suicide, call 113 or 0800-0113 "
                        "(free, 24/7)."
                    ),
                    "nl": (
                        "Dit dagboek is bedoeld voor persoonlijke reflectie en is geen medisch of "
                        "diagnostisch hulpmiddel. Zie je in je notities dat je stemming of slaap "
                        "achteruitgaat? Stop dan en praat met je huisarts. Denk je aan "
                        "zelfdoding, bel dan 113 of gratis 0800-0113 (dag en nacht)."
                    ),
                },
            },
            {
                "kind": "legal",
                "text": {
                    "en": "Like everything in our shop, sold to adults aged 18 and over only.",
                    "nl": (
                        "Net als alles in onze winkel alleen te koop voor volwassenen van 18 jaar "
                        "en ouder."
                    ),
                },
            },
        ],
        "allergy": _no_known_allergens(),
    },
    {
        "slug": "airtight-storage-tin",
        "category": "accessories",
        "name": {"en": "Airtight Storage Tin", "nl": "Luchtdicht bewaarblik"},
        "summary": {
            "en": (
                "A small airtight aluminium tin with a screw lid and space for a label, for "
                "truffles in the fridge or capsules in the cupboard."
            ),
            "nl": (
                "Een klein luchtdicht blik van aluminium met schroefdeksel en ruimte voor een "
                "etiket, voor truffels in de koelkast of capsules in de kast."
            ),
        },
        "description_md": {
            "en": _md(
                """
                This 60 ml tin has a screw lid with a silicone seal that keeps out moisture and
                smells. It fits easily in a fridge door or a drawer.

                The lid has a flat surface for a label. Write down what is inside and the date you
                opened it, so nobody in your household mistakes it for something else.

                Rinse it with warm water and let it dry completely before you refill it. Not
                dishwasher-safe.
                """
            ),
            "nl": _md(
                """
                Dit blik van 60 ml heeft een schroefdeksel met een siliconen afdichting die vocht en
                geurtjes buitenhoudt. Het past makkelijk in een koelkastdeur of een la.

                Op het deksel zit een vlak stuk voor een etiket. Schrijf erop wat erin zit en
                wanneer je het hebt geopend, zodat niemand in huis het voor iets anders aanziet.

                Spoel het om met warm water en laat het helemaal drogen voordat je het opnieuw vult.
                Niet geschikt voor de vaatwasser.
                """
            ),
        },
        "price_cents": 795,
        "stock": 75,
        "min_age": 18,
        "featured": False,
        "disclaimers": [
            {
                "kind": "usage",
                "text": {
                    "en": (
                        "Keep the tin and its contents out of reach of children and pets. It is "
                        "not child-resistant."
                    ),
                    "nl": (
                        "Bewaar het blik en de inhoud buiten bereik van kinderen en huisdieren. "
                        "Het is niet kindveilig."
                    ),
                },
            },
            {
                "kind": "usage",
                "text": {
                    "en": (
                        "Fresh truffles still belong in the fridge: an airtight tin does not make "
                        "them keep longer at room temperature."
                    ),
                    "nl": (
                        "Verse truffels horen ook in dit blik in de koelkast: een luchtdicht blik "
                        "maakt ze op kamertemperatuur niet langer houdbaar."
                    ),
                },
            },
        ],
        "allergy": _no_known_allergens(),
    },
]


# --------------------------------------------------------------------------------------------------
# Knowledge-base articles
# --------------------------------------------------------------------------------------------------

_NEUROGENESIS_EN = """
You may have read that psilocybin "grows new brain cells" or that microdosing "rewires the brain".
Claims like these are built on real research, but they usually stretch it much further than the data
allow. This article explains what neurogenesis is, what animal and lab studies have actually found,
and what we do and do not know from studies in people.

## What is neurogenesis?

Neurogenesis is the formation of new nerve cells (neurons) from stem cells. Most of our neurons are
formed before birth, but in adult rodents new neurons keep being added in a few places, most notably
the hippocampus, a region involved in memory and in regulating emotions.

Whether this also happens to a meaningful degree in adult humans is still debated. Some studies of
brain tissue donated after death found thousands of young neurons in the hippocampus even in old
age; others found that their number drops to almost zero after childhood. Part of the disagreement
comes down to how the tissue was preserved and stained.

It also helps to separate neurogenesis from the broader term neuroplasticity: the brain's ability to
change its connections, for example when existing neurons grow new branches and synapses. Much of
the psychedelic research below is about plasticity, not about new neurons.

## What lab and animal studies show

In cell cultures, several psychedelics, such as LSD and DMT, made neurons grow more branches and
connections (Ly et al., 2018). In mice, a single dose of psilocybin increased the number and size of
dendritic spines, the small protrusions where synapses form, in the frontal cortex, and part of that
increase was still visible a month later (Shao et al., 2021). A study in pigs found signs of higher
synaptic density after a single dose.

The evidence for neurogenesis itself is thinner and less consistent. In one mouse study, higher
doses of psilocybin actually reduced the formation of new cells in the hippocampus, while low doses
showed at most a small, non-significant change (Catlow et al., 2013). Other rodent studies, with
other substances and doses, have reported increases.

Animal results do not translate directly to people. The doses are often high, the animals are
observed under controlled conditions, and a change in spines or cell counts in a mouse says little
about mood, memory or wellbeing in a human.

## What human studies show

Neurogenesis cannot currently be measured directly in living people, so there is no human evidence
that psilocybin or any other psychedelic creates new neurons.

Clinical trials have given carefully screened participants one or more high doses of psilocybin
together with psychological support, for example for depression that did not respond to other
treatments. Some of these trials found larger symptom reductions than with a very low dose or
another treatment, but results vary, effects often faded over time, and side effects included
headache, nausea, anxiety and, in some participants, suicidal thoughts. These studies say nothing
about taking truffles at home without supervision.

## And microdosing?

Microdosing means regularly taking a fraction of a normal dose, roughly a tenth to a twentieth. Many
users report a better mood, more focus or more creativity. But when studies compare microdoses with
a placebo under blinded conditions, the differences largely disappear. In a large self-blinding
study published in 2021, participants prepared their own capsules without knowing whether they
contained a microdose; both groups improved, with no significant difference between them. Several
small laboratory studies with LSD or psilocybin reached similar conclusions, and some participants
correctly guessed when they had received the active substance, which makes blinding difficult.

Long-term safety is also largely unknown. Psilocybin acts on serotonin receptors, including a type
(5-HT2B) that has been linked to heart valve problems with other drugs taken daily for long periods.
Whether that matters for microdosing has not been studied in humans; for now it is a theoretical
concern.

## What this means for you

- There is no evidence that microdosing causes neurogenesis in humans.
- Placebo-controlled studies have found little difference between microdosing and placebo.
- Psychedelics can interact with medication such as antidepressants and lithium, and are not
  suitable if you have a heart condition or a personal or family history of psychosis or bipolar
  disorder.

If you are struggling with your mental health, talk to your GP. This article is for information only
and is not medical advice.
"""

_NEUROGENESIS_NL = """
Misschien heb je gelezen dat psilocybine "nieuwe hersencellen laat groeien" of dat microdoseren "je
brein herbedraadt". Zulke beweringen zijn gebaseerd op echt onderzoek, maar rekken dat meestal veel
verder op dan de gegevens toelaten. In dit artikel lees je wat neurogenese is, wat dier- en
laboratoriumonderzoek werkelijk heeft gevonden, en wat we uit onderzoek bij mensen wel en niet
weten.

## Wat is neurogenese?

Neurogenese is het ontstaan van nieuwe zenuwcellen (neuronen) uit stamcellen. De meeste neuronen
worden vóór de geboorte gevormd, maar bij volwassen knaagdieren komen er op een paar plekken nieuwe
bij, vooral in de hippocampus, een hersengebied dat betrokken is bij het geheugen en bij het
reguleren van emoties.

Of dat bij volwassen mensen ook in betekenisvolle mate gebeurt, is nog altijd onderwerp van
discussie. In sommige studies met hersenweefsel dat na overlijden was gedoneerd, werden zelfs op
hoge leeftijd duizenden jonge neuronen in de hippocampus gevonden; andere studies zagen hun aantal
na de kindertijd tot bijna nul dalen. Een deel van het verschil komt door de manier waarop het
weefsel werd bewaard en gekleurd.

Het helpt ook om neurogenese te onderscheiden van het bredere begrip neuroplasticiteit: het vermogen
van de hersenen om verbindingen te veranderen, bijvoorbeeld doordat bestaande neuronen nieuwe
uitlopers en synapsen vormen. Veel van het psychedelica-onderzoek hieronder gaat over plasticiteit,
niet over nieuwe neuronen.

## Wat laboratorium- en dieronderzoek laat zien

In celkweken zorgden verschillende psychedelica, zoals LSD en DMT, ervoor dat neuronen meer
vertakkingen en verbindingen aanmaakten (Ly e.a., 2018). Bij muizen nam na één dosis psilocybine het
aantal en de grootte van dendritische spines in de frontale hersenschors toe, de kleine uitsteeksels
waar synapsen ontstaan; een deel daarvan was een maand later nog zichtbaar (Shao e.a., 2021). Een
studie bij varkens vond na één dosis aanwijzingen voor een hogere synapsdichtheid.

Het bewijs voor neurogenese zelf is dunner en minder eenduidig. In een muizenstudie remden hogere
doses psilocybine juist de aanmaak van nieuwe cellen in de hippocampus, terwijl lage doses hooguit
een kleine, niet-significante verandering gaven (Catlow e.a., 2013). Andere studies bij knaagdieren,
met andere middelen en doses, meldden wel een toename.

Resultaten bij dieren zijn niet zomaar te vertalen naar mensen. De doses zijn vaak hoog, de dieren
worden onder gecontroleerde omstandigheden bekeken, en een verandering in spines of celaantallen bij
een muis zegt weinig over stemming, geheugen of welzijn bij een mens.

## Wat onderzoek bij mensen laat zien

Bij levende mensen kun je neurogenese op dit moment niet rechtstreeks meten. Er is dus geen bewijs
bij mensen dat psilocybine of een ander psychedelicum nieuwe neuronen laat ontstaan.

In klinische studies kregen zorgvuldig geselecteerde deelnemers een of meer hoge doses psilocybine
met psychologische begeleiding, bijvoorbeeld bij depressie waarbij andere behandelingen niet
hielpen. Sommige van die studies vonden een grotere afname van klachten dan bij een heel lage dosis
of een andere behandeling, maar de resultaten verschillen, effecten namen vaak na verloop van tijd
af, en bijwerkingen waren onder meer hoofdpijn, misselijkheid, angst en bij sommige deelnemers
suïcidale gedachten. Over truffels thuis gebruiken zonder begeleiding zeggen deze studies niets.

## En microdoseren?

Bij microdoseren neem je regelmatig een fractie van een gewone dosis, ongeveer een tiende tot een
twintigste. Veel gebruikers melden een betere stemming, meer focus of meer creativiteit. Maar zodra
studies een microdosis blind vergelijken met een placebo, verdwijnen de verschillen grotendeels. In
een grote zelfblinderende studie uit 2021 maakten deelnemers zelf capsules klaar zonder te weten of
er een microdosis in zat; beide groepen gingen erop vooruit, zonder significant verschil tussen de
groepen. Verschillende kleine laboratoriumstudies met LSD of psilocybine kwamen tot vergelijkbare
conclusies. Bovendien raadden sommige deelnemers goed wanneer ze het werkzame middel hadden
gekregen, wat blinderen lastig maakt.

Ook over de veiligheid op lange termijn is weinig bekend. Psilocybine werkt op serotoninereceptoren,
waaronder een type (5-HT2B) dat bij andere medicijnen die lange tijd dagelijks werden gebruikt, in
verband is gebracht met hartklepproblemen. Of dat voor microdoseren van belang is, is bij mensen
niet onderzocht; voorlopig is het een theoretisch risico.

## Wat betekent dit voor jou?

- Er is geen bewijs dat microdoseren bij mensen neurogenese veroorzaakt.
- Studies met een placebogroep vinden weinig verschil tussen microdoseren en een placebo.
- Psychedelica kunnen een wisselwerking hebben met medicijnen zoals antidepressiva en lithium, en
  zijn niet geschikt als je een hartaandoening hebt of als psychose of een bipolaire stoornis bij
  jou of in je familie voorkomt.

Zit je niet lekker in je vel? Praat dan met je huisarts. Dit artikel is alleen bedoeld als
informatie en is geen medisch advies.
"""

_LIONS_MANE_EN = """
Lion's Mane has become one of the most talked-about mushrooms of recent years, usually with bold
promises about memory and focus attached. Here is a calmer look at what it is and what the research
actually covers.

## What is Lion's Mane?

Lion's Mane (*Hericium erinaceus*) is an edible fungus that grows on dead or dying hardwood, such as
beech and oak, in Europe, Asia and North America. Instead of a cap and gills it forms a white,
rounded mass of soft, hanging spines, which explains its English name. In Dutch it is called
*pruikzwam*, the wig fungus.

In the wild it is rare in much of Europe and protected in some countries, so please leave wild
specimens where they are. What is sold as food or as a supplement comes from cultivation, either as
the fruiting body (the mushroom itself) or as mycelium, the thread-like network that grows through
the substrate. Mycelium is often grown on grain, so mycelium products may contain some of that grain
as well.

## What lab and animal studies looked at

Researchers became interested in Lion's Mane in the 1990s, when Japanese chemists isolated two
groups of compounds: hericenones from the fruiting body and erinacines from the mycelium. In cell
cultures, some of these compounds stimulated the production of nerve growth factor (NGF), a protein
that helps nerve cells survive and grow.

Since then, studies in mice and rats have looked at memory in models of ageing and Alzheimer's
disease, at recovery after nerve damage and at behaviour in models of stress and depression. Several
reported positive effects. But these studies often used purified extracts at high doses, and results
in rodents frequently fail to hold up in people. It is also unclear how much of these compounds
reaches the human brain after you swallow them.

## The limited human evidence

Only a handful of small human trials exist. In a frequently cited Japanese study from 2009, around
thirty older adults with mild cognitive impairment took tablets with Lion's Mane or a placebo for
sixteen weeks. The Lion's Mane group scored better on a cognitive test, but the advantage faded
after they stopped. Other small studies looked at mood, sleep or cognitive performance in healthy
adults, with mixed and mostly modest results.

These trials had few participants, ran for short periods and used different products and doses, and
several have never been repeated. Together they are not enough to say that Lion's Mane improves
memory, mood or anything else in humans. That is also why no health claims for Lion's Mane have been
approved in the EU.

## How it is eaten or taken

As a food, fresh Lion's Mane is best torn into pieces and fried until golden; its texture is often
compared to crab or lobster. It does not keep well, so cook it within a few days.

As a supplement it comes as dried powder, capsules or extracts. Powder is easy to stir into coffee,
soup or a smoothie. Follow the dose on the label and do not exceed it. Check whether a product is
made from the fruiting body or from mycelium grown on grain, especially if you avoid gluten.

## Safety and allergies

In studies Lion's Mane was generally well tolerated, but allergic reactions such as skin rash,
itching and breathing difficulties have been reported. Do not use it if you are allergic to
mushrooms, and stop immediately if you notice a reaction. Because its safety during pregnancy and
breastfeeding has not been studied, avoid it during those times. Animal studies hint at effects on
blood clotting and blood sugar, so talk to your doctor first if you take blood thinners or diabetes
medication.
"""

_LIONS_MANE_NL = """
De pruikzwam, in het Engels Lion's Mane, is de afgelopen jaren een van de meest besproken
paddenstoelen geworden, meestal met grote beloftes over geheugen en concentratie erbij. Hier lees je
rustig wat hij is en wat het onderzoek werkelijk zegt.

## Wat is de pruikzwam?

De pruikzwam (*Hericium erinaceus*) is een eetbare zwam die groeit op dood of afstervend loofhout,
zoals beuk en eik, in Europa, Azië en Noord-Amerika. In plaats van een hoed met plaatjes vormt hij
een witte, ronde massa van zachte, hangende stekels, vandaar zijn Nederlandse naam. De Engelse naam,
Lion's Mane, betekent leeuwenmanen.

In het wild is hij in grote delen van Europa zeldzaam en in sommige landen beschermd, dus laat wilde
exemplaren alsjeblieft staan. Wat als voedsel of supplement wordt verkocht, komt uit de kweek: als
vruchtlichaam (de paddenstoel zelf) of als mycelium, het draderige netwerk dat door het substraat
groeit. Mycelium wordt vaak op graan gekweekt, zodat producten daarvan ook een deel van dat graan
kunnen bevatten.

## Wat laboratorium- en dieronderzoek bekeek

Onderzoekers raakten in de jaren negentig geïnteresseerd, toen Japanse chemici twee groepen stoffen
isoleerden: hericenonen uit het vruchtlichaam en erinacinen uit het mycelium. In celkweken
stimuleerden sommige van die stoffen de aanmaak van zenuwgroeifactor (NGF), een eiwit dat
zenuwcellen helpt te overleven en te groeien.

Sindsdien is bij muizen en ratten gekeken naar het geheugen in modellen van veroudering en de ziekte
van Alzheimer, naar herstel na zenuwschade en naar gedrag in modellen van stress en depressie.
Meerdere studies meldden positieve effecten. Maar vaak ging het om gezuiverde extracten in hoge
doses, en resultaten bij knaagdieren houden bij mensen lang niet altijd stand. Ook is onduidelijk
hoeveel van deze stoffen de hersenen van een mens bereikt als je ze doorslikt.

## Het beperkte bewijs bij mensen

Er bestaat maar een handvol kleine studies bij mensen. In een vaak aangehaalde Japanse studie uit
2009 kregen ongeveer dertig ouderen met lichte cognitieve achteruitgang zestien weken lang tabletten
met pruikzwam of een placebo. De pruikzwamgroep scoorde beter op een cognitieve test, maar dat
voordeel verdween nadat ze gestopt waren. Andere kleine studies keken naar stemming, slaap of
cognitieve prestaties bij gezonde volwassenen, met wisselende en meestal bescheiden resultaten.

Deze studies hadden weinig deelnemers, liepen kort en gebruikten verschillende producten en doses,
en een aantal is nooit herhaald. Samen zijn ze niet genoeg om te zeggen dat pruikzwam bij mensen het
geheugen, de stemming of iets anders verbetert. Daarom zijn er in de EU ook geen gezondheidsclaims
voor pruikzwam goedgekeurd.

## Hoe je hem eet of gebruikt

Als voedsel scheur je verse pruikzwam het best in stukken en bak je hem goudbruin; de structuur
wordt vaak vergeleken met krab of kreeft. Hij is niet lang houdbaar, dus bereid hem binnen een paar
dagen.

Als supplement is hij verkrijgbaar als gedroogd poeder, capsules of extract. Poeder roer je
makkelijk door koffie, soep of een smoothie. Volg de dosering op het etiket en ga daar niet
overheen. Kijk of een product van het vruchtlichaam is gemaakt of van mycelium op graan, zeker als
je gluten vermijdt.

## Veiligheid en allergieën

In studies werd pruikzwam over het algemeen goed verdragen, maar er zijn allergische reacties
gemeld, zoals huiduitslag, jeuk en benauwdheid. Gebruik hem niet als je allergisch bent voor
paddenstoelen, en stop meteen als je een reactie merkt. Omdat de veiligheid tijdens zwangerschap en
borstvoeding niet is onderzocht, kun je hem in die periode beter vermijden. Dieronderzoek geeft
aanwijzingen voor effecten op de bloedstolling en de bloedsuikerspiegel; gebruik je bloedverdunners
of diabetesmedicatie, overleg dan eerst met je arts.
"""

ARTICLES: list[ArticleData] = [
    {
        "slug": "neurogenesis-psychedelics-and-microdosing",
        "title": {
            "en": (
                "Neurogenesis, psychedelics and microdosing: what the research does and does not "
                "show"
            ),
            "nl": "Neurogenese, psychedelica en microdoseren: wat onderzoek wel en niet laat zien",
        },
        "summary": {
            "en": (
                "What neurogenesis is, what lab and animal studies of psychedelics have found, "
                "and why the evidence for microdosing in humans is still weak."
            ),
            "nl": (
                "Wat neurogenese is, wat laboratorium- en dieronderzoek naar psychedelica heeft "
                "gevonden, en waarom het bewijs voor microdoseren bij mensen nog zwak is."
            ),
        },
        "body_md": {"en": _md(_NEUROGENESIS_EN), "nl": _md(_NEUROGENESIS_NL)},
        "disclaimer": {
            "en": (
                "This article summarises published research for general information. It is not "
                "medical advice and does not recommend the use of any substance. If you take "
                "medication or have a physical or mental health condition, talk to your doctor."
            ),
            "nl": (
                "Dit artikel vat gepubliceerd onderzoek samen als algemene informatie. Het is "
                "geen medisch advies en geen aanbeveling om welk middel dan ook te gebruiken. "
                "Gebruik je medicijnen of heb je een lichamelijke of psychische aandoening? Praat "
                "dan met je huisarts."
            ),
        },
        "related_products": [
            "microdosing-kit-starter",
            "microdose-journal",
            "truffles-mexicana-10g",
        ],
    },
    {
        "slug": "lions-mane-hericium-erinaceus",
        "title": {
            "en": "Lion's Mane (Hericium erinaceus): what we know and what we don't",
            "nl": "Pruikzwam (Hericium erinaceus): wat we weten en wat niet",
        },
        "summary": {
            "en": (
                "An introduction to Lion's Mane: the mushroom itself, the lab and animal "
                "research, the few small human studies, and how people eat or take it."
            ),
            "nl": (
                "Een kennismaking met de pruikzwam: de paddenstoel zelf, het laboratorium- en "
                "dieronderzoek, de paar kleine studies bij mensen en hoe je hem eet of gebruikt."
            ),
        },
        "body_md": {"en": _md(_LIONS_MANE_EN), "nl": _md(_LIONS_MANE_NL)},
        "disclaimer": {
            "en": (
                "This article is general information about a food and food supplement. It is not "
                "medical advice, and Lion's Mane is not intended to diagnose, treat or prevent "
                "any disease. Do not use it if you are allergic to mushrooms."
            ),
            "nl": (
                "Dit artikel is algemene informatie over een voedingsmiddel en "
                "voedingssupplement. Het is geen medisch advies, en pruikzwam is niet bedoeld om "
                "een ziekte vast te stellen, te behandelen of te voorkomen. Niet gebruiken als je "
                "allergisch bent voor paddenstoelen."
            ),
        },
        "related_products": [
            "lions-mane-capsules",
            "lions-mane-powder",
            "grow-kit-lions-mane",
        ],
    },
]
