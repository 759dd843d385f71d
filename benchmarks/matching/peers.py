"""The two peers, run as their own documentation runs them (benchmark-only dependencies).

* ``recordlinkage`` (0.16): the standard unsupervised pipeline of its guides — an index made of
  blocks on given name, surname and postcode; binary comparisons (exact, or Jaro–Winkler ≥ 0.85
  for names and street); the ECM classifier (Fellegi–Sunter by expectation/conditional
  maximisation) with its default decision rule.
* Splink (5.x, DuckDB backend): the comparisons and blocking rules of its FEBRL 3 and FEBRL 4
  tutorials (and the same kind of model for the UK set); the probability that two random records
  match estimated from deterministic rules (recall 0.8 for linking, 0.9 for deduplication, as in
  the tutorials); ``u`` by random sampling; ``m`` by EM sessions blocked on date of birth and
  postcode. Pairs are called matches at match probability ≥ 0.5 (the tutorials draw their
  accuracy charts over all thresholds and predict at 0.2; we fix 0.5, the Bayes decision point,
  for every system).

Each function takes pandas DataFrames indexed by record id and returns the set of predicted
pairs (record id, record id) and the seconds taken (training and prediction; not data loading).
"""

from __future__ import annotations

import logging
import time

import pandas as pd

SPLINK_THRESHOLD = 0.5


def recordlinkage_link(df_a: pd.DataFrame, df_b: pd.DataFrame | None, spec: dict) -> tuple[set, float]:
    """``spec``: blocks (columns), exact (columns), strings (columns, Jaro–Winkler ≥ 0.85)."""
    import recordlinkage as rl

    started = time.perf_counter()
    indexer = rl.Index()
    for column in spec["blocks"]:
        indexer.block(column)
    candidates = indexer.index(df_a) if df_b is None else indexer.index(df_a, df_b)
    compare = rl.Compare()
    for column in spec["strings"]:
        compare.string(column, column, method="jarowinkler", threshold=0.85, label=column)
    for column in spec["exact"]:
        compare.exact(column, column, label=column)
    features = compare.compute(candidates, df_a) if df_b is None else compare.compute(candidates, df_a, df_b)
    classifier = rl.ECMClassifier()
    matches = classifier.fit_predict(features)
    seconds = time.perf_counter() - started
    return {tuple(pair) for pair in matches.tolist()}, seconds


def _splink_run(
    frames: list[pd.DataFrame],
    link_type: str,
    comparisons,
    blocking_rules,
    deterministic_rules,
    recall: float,
    em_rules,
) -> tuple[set, float]:
    from splink import DuckDBAPI, Linker, SettingsCreator

    for name in [name for name in logging.root.manager.loggerDict if name.startswith("splink")] + ["splink"]:
        logging.getLogger(name).setLevel(logging.ERROR)
    started = time.perf_counter()
    settings = SettingsCreator(
        unique_id_column_name="record_id",
        link_type=link_type,
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=comparisons,
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI()
    tables = [db_api.register(frame) for frame in frames]
    linker = Linker(tables if len(tables) > 1 else tables[0], settings)
    linker.training.estimate_probability_two_random_records_match(deterministic_rules, recall=recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule, estimate_without_term_frequencies=True)
    predictions = linker.inference.predict(threshold_match_probability=SPLINK_THRESHOLD)
    rows = predictions.as_pandas_dataframe()
    seconds = time.perf_counter() - started
    pairs = set(zip(rows["record_id_l"], rows["record_id_r"]))
    return pairs, seconds


def splink_febrl(frames: list[pd.DataFrame]) -> tuple[set, float]:
    """FEBRL 4 (two frames, link_only) or FEBRL 3 (one frame, dedupe_only), as the tutorials set them."""
    import splink.comparison_library as cl
    from splink import block_on

    linking = len(frames) > 1
    comparisons = [
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison(
            "date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True
        ),
        cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2] if linking else [2]),
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        (cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]) if linking else cl.ExactMatch("postcode")).configure(
            term_frequency_adjustments=True
        ),
    ]
    if linking:
        blocking_rules = [
            block_on("given_name", "surname"),
            "l.given_name = r.surname and l.surname = r.given_name",
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("state", "address_1"),
            block_on("street_number", "address_1"),
            block_on("postcode"),
        ]
        deterministic = [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")]
        recall = 0.8
    else:
        blocking_rules = [
            block_on("soc_sec_id"),
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("postcode"),
        ]
        deterministic = [
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
            "l.given_name = r.surname and l.surname = r.given_name and l.date_of_birth = r.date_of_birth",
        ]
        recall = 0.9
    em_rules = [block_on("date_of_birth"), block_on("postcode")]
    return _splink_run(
        frames, "link_only" if linking else "dedupe_only", comparisons, blocking_rules, deterministic, recall, em_rules
    )


def splink_uk(frame: pd.DataFrame) -> tuple[set, float]:
    """The same kind of model for the UK columns (names, date of birth, sex, NHS number, postcode, e-mail, phone)."""
    import splink.comparison_library as cl
    from splink import block_on

    comparisons = [
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison(
            "date_of_birth", input_is_string=True, datetime_format="%Y-%m-%d", invalid_dates_as_null=True
        ),
        cl.ExactMatch("sex"),
        cl.DamerauLevenshteinAtThresholds("nhs_number", [1, 2]),
        cl.ExactMatch("pnc_id"),
        cl.PostcodeComparison("postcode"),
        cl.EmailComparison("email"),
        cl.ExactMatch("phone"),
    ]
    blocking_rules = [
        block_on("given_name", "family_name"),
        "l.given_name = r.family_name and l.family_name = r.given_name",
        block_on("date_of_birth"),
        block_on("nhs_number"),
        block_on("postcode"),
    ]
    deterministic = [block_on("nhs_number"), block_on("given_name", "family_name", "date_of_birth")]
    em_rules = [block_on("date_of_birth"), block_on("postcode")]
    return _splink_run([frame], "dedupe_only", comparisons, blocking_rules, deterministic, 0.9, em_rules)
