"""Generate realistic synthetic article sets of any size for benchmarks.

Articles are assembled by code from templates with varied wording: advisories in several house styles,
counts with hedges and periods, casualties, kidnappings, dated events, and noise (share lines,
newsletter appeals, photo credits, related-story tails). Nothing is copied from real articles.

    python benchmarks/generate.py OUT_DIR --n 1000 [--seed 1]
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

COUNTRIES = [
    ("Norway", "Norwegian", "Oslo"), ("Spain", "Spanish", "Madrid"), ("Japan", "Japanese", "Tokyo"),
    ("Australia", "Australian", "Canberra"), ("the Netherlands", "Dutch", "The Hague"),
    ("Sweden", "Swedish", "Stockholm"), ("Belgium", "Belgian", "Brussels"), ("Canada", "Canadian", "Ottawa"),
    ("Germany", "German", "Berlin"), ("Italy", "Italian", "Rome"), ("Ireland", "Irish", "Dublin"),
]
CRISES = [
    ("Chad", "N'Djamena", ["Abéché", "Moundou", "Sarh"], "the Front for Change (FFC)"),
    ("Mozambique", "Maputo", ["Pemba", "Mocímboa da Praia", "Palma"], "Ansar al-Sunna (ASWJ)"),
    ("Burkina Faso", "Ouagadougou", ["Djibo", "Kaya", "Fada N'Gourma"], "the Sahel Liberation Front (SLF)"),
    ("Haiti", "Port-au-Prince", ["Cap-Haïtien", "Gonaïves", "Les Cayes"], "the Viv Ansanm coalition (VA)"),
    ("Sudan", "Khartoum", ["El Fasher", "Kassala", "Port Sudan"], "the Rapid Support Forces (RSF)"),
]
ADVISORY = [
    "{cap} told its citizens to leave {country} while commercial flights are still available.",
    "The {dem} government urged its nationals in {country} to depart immediately.",
    "{name} ordered the departure of non-emergency staff and their families from its embassy in {capital}.",
    "Travel advice from {name} now says: do not travel to {country}.",
    "{name} has advised against all travel to {country}, citing the risk of kidnapping.",
]
COUNT = [
    "{group} carried out {n} attacks in the first half of {year}, according to monitors.",
    "Monitors recorded at least {n} attacks by {group} in {year}.",
    "Close to {n} percent of the violence took place in the east this year, up from {m} percent last year.",
    "{group} was responsible for {n} attacks in H1 {year}, double the same period of the previous year.",
]
CASUALTY = [
    "At least {n} civilians were killed when fighters stormed a market in {town}.",
    "{n} soldiers were wounded in an ambush near {town} on {weekday}.",
]
KIDNAP = [
    "{n} {dem} aid workers were abducted near {town} and later released.",
    "Gunmen kidnapped {n} truck drivers on the road to {town}.",
]
FILLER_WHO = ["Residents", "Traders", "Local officials", "Aid workers", "Teachers", "Drivers", "Farmers",
              "Health workers", "Community leaders", "Students", "Shopkeepers", "Security analysts"]
FILLER_VERB = ["described", "complained about", "warned of", "pointed to", "reported", "spoke of",
               "played down", "expected", "feared", "documented"]
FILLER_WHAT = ["long queues at fuel stations", "sharp increases in the price of bread", "closed schools",
               "power cuts lasting most of the day", "empty shelves in the central market",
               "checkpoints on the main highway", "rising rents in safer districts", "cancelled bus services",
               "shortages of medicine at the district hospital", "delays at the border crossing",
               "families leaving outlying villages", "new curfews in the evening", "rationing of diesel",
               "a drop in harvest sales", "stalled construction projects"]
FILLER_WHEN = ["this week", "since the start of the month", "over the weekend", "in recent days",
               "after the latest attacks", "as the rainy season approached", "despite official assurances"]
NOISE = [
    "Share this article", "Follow us on social media", "Sign up for our daily newsletter",
    "Photo credit: staff photographer", "RELATED: More coverage from the region",
    "Support independent journalism: donate today.",
]
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 12: "twelve"}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def article(rng: random.Random, i: int) -> tuple[str, str]:
    country, capital, towns, group = rng.choice(CRISES)
    short = group.split("(")[-1].rstrip(")") if "(" in group else group
    pub = date(2025, 1, 1) + timedelta(days=rng.randrange(0, 330))
    year = pub.year
    title = f"{country}: pressure grows on {capital} as {short} steps up attacks"
    paras = [f"{capital} — Fighting intensified around {rng.choice(towns)} this week as {group} expanded its operations."]
    for _ in range(rng.randint(16, 34)):
        kind = rng.random()
        if kind < 0.25:
            name, dem, cap = rng.choice(COUNTRIES)
            s = rng.choice(ADVISORY).format(name=name, dem=dem, cap=cap, country=country, capital=capital)
            paras.append(s[0].upper() + s[1:])
        elif kind < 0.45:
            n = rng.randint(20, 400)
            paras.append(rng.choice(COUNT).format(group=short, n=n, m=max(1, n // 3), year=year))
        elif kind < 0.55:
            n = rng.randint(2, 60)
            paras.append(rng.choice(CASUALTY).format(n=n, town=rng.choice(towns), weekday=rng.choice(WEEKDAYS)))
        elif kind < 0.62:
            n = rng.choice(list(NUMBER_WORDS))
            _, dem, _ = rng.choice(COUNTRIES)
            s = rng.choice(KIDNAP).format(n=NUMBER_WORDS[n], dem=dem, town=rng.choice(towns))
            paras.append(s[0].upper() + s[1:])
        else:
            paras.append(" ".join(
                f"{rng.choice(FILLER_WHO)} {rng.choice(FILLER_VERB)} {rng.choice(FILLER_WHAT)} {rng.choice(FILLER_WHEN)}."
                for _ in range(rng.randint(3, 7))
            ))
    if rng.random() < 0.5:
        paras.insert(rng.randint(1, len(paras)), rng.choice(NOISE))
    if rng.random() < 0.3:
        paras.append(rng.choice(NOISE))
    front = f"---\ntitle: \"{title}\"\noutlet: Synthetic Wire {i % 17}\npublished: {pub.isoformat()}\n---\n\n"
    return f"{i:05d}.md", front + f"# {title}\n\n" + "\n\n".join(paras) + "\n"


def generate(out_dir: Path, n: int, seed: int = 1) -> list[Path]:
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        name, text = article(rng, i)
        p = out_dir / name
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    paths = generate(a.out_dir, a.n, a.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} articles ({size / 1e6:.1f} MB) to {a.out_dir}")


if __name__ == "__main__":
    main()
