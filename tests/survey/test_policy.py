import tomllib
from pathlib import Path

import pytest

from survey.errors import PolicyError
from survey.policy import TOML_KEYS
from survey.policy import DEFAULT_POLICY, load_policy, policy_from_dict


def test_defaults_match_the_documented_rules():
    assert DEFAULT_POLICY.min_rsrp_dbm == -110
    assert DEFAULT_POLICY.min_sinr_db == 0
    assert DEFAULT_POLICY.pass_rate("vital") == 0.99
    assert DEFAULT_POLICY.pass_rate("normal") == 0.95
    assert DEFAULT_POLICY.voice_technologies == ("lte", "nr")


@pytest.mark.parametrize(("area_m2", "expected"), [(0, 10), (20, 10), (40, 10), (41, 11), (100, 25)])
def test_required_samples_by_area(area_m2, expected):
    assert DEFAULT_POLICY.required_samples(area_m2) == expected


def test_policy_file_overrides_defaults(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text(
        '[voice]\nmin_rsrp_dbm = -105\n[verdict]\npass_rate = { normal = 0.9 }\n[operators]\nrequired = ["208-01"]\n',
        encoding="utf-8",
    )
    policy = load_policy(path)
    assert policy.min_rsrp_dbm == -105
    assert policy.pass_rate("normal") == 0.9
    assert policy.pass_rate("vital") == 0.99
    assert policy.required_operators == ("208-01",)


def test_policy_unknown_key_names_it(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text("[voice]\nmin_rsrp = -105\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert caught.value.column == "voice.min_rsrp"
    assert "voice.min_rsrp_dbm" in caught.value.fix


def test_policy_value_out_of_range(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text("[verdict]\npass_rate = { vital = 1.5 }\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert caught.value.column == "verdict.pass_rate"
    assert caught.value.file == str(path)


def test_policy_invalid_toml_gives_file(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text("[voice\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert str(path) in caught.value.message


def write(tmp_path, text: str):
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[verdict]\nmin_samples = true\n", "verdict.min_samples"),
        ("[verdict]\nmin_samples = 0\n", "verdict.min_samples"),
        ("[verdict]\npass_rate = { normal = true }\n", "verdict.pass_rate"),
        ('[operators]\nrequired = ["Orange"]\n', "operators.required"),
        ("[voice]\nmin_rsrp_dbm = -20\n", "voice.min_rsrp_dbm"),
        ('[voice]\nmin_rsrp_dbm = "-110"\n', "voice.min_rsrp_dbm"),
        ("[voice]\nlegacy_min_signal_dbm = { lte = -100 }\n", "voice.legacy_min_signal_dbm"),
        ("[gridtest]\ncells = 2\n", "gridtest.cells"),
        ("[gridtest]\ncritical_pass_rate = 1.2\n", "gridtest.critical_pass_rate"),
        ("[gridtest]\ncells = 10\nmax_failures = 10\n", "gridtest.max_failures"),
        ("[gridtest]\ncells = 50\n", "gridtest.regrid_cells"),
    ],
)
def test_invalid_values_name_key_and_range(tmp_path, text, key):
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert caught.value.column == key
    assert caught.value.fix
    assert key in caught.value.message


def test_range_is_in_the_message(tmp_path):
    from survey.i18n import reset_language, set_language

    token = set_language("en")
    try:
        with pytest.raises(PolicyError) as caught:
            load_policy(write(tmp_path, "[lines]\nmax_distance_m = 5000\n"))
    finally:
        reset_language(token)
    assert caught.value.fix == "a number from 1 to 1000"
    assert "lines.max_distance_m=5000" in caught.value.message


def test_gridtest_keys(tmp_path):
    policy = load_policy(write(tmp_path, "[gridtest]\ncells = 24\nmax_failures = 3\nmin_signal_dbm = -105\n"))
    assert policy.gridtest_cells == 24
    assert policy.gridtest_max_failures == 3
    assert policy.gridtest_threshold_dbm == -105


def test_gridtest_threshold_defaults_to_voice():
    assert DEFAULT_POLICY.gridtest_min_signal_dbm is None
    assert DEFAULT_POLICY.gridtest_threshold_dbm == DEFAULT_POLICY.min_rsrp_dbm


def test_legacy_thresholds_merge_with_defaults(tmp_path):
    policy = load_policy(write(tmp_path, "[voice]\nlegacy_min_signal_dbm = { umts = -100 }\n"))
    assert policy.legacy_min_signal_dbm == {"umts": -100.0, "gsm": -103.0}


def test_documented_example_is_valid():
    """The complete example of the policy page loads and sets every key to its default."""
    docs = Path(__file__).resolve().parents[2] / "docs"
    page = (docs / "policy.md").read_text(encoding="utf-8")
    example = page.split("```toml\n", 1)[1].split("```", 1)[0]
    assert policy_from_dict(tomllib.loads(example)) == DEFAULT_POLICY

    # Both pages name every key of the policy file.
    for name in ("policy.md", "policy.fr.md"):
        text = (docs / name).read_text(encoding="utf-8")
        for table, key in TOML_KEYS:
            assert f"{table}.{key}" in text, (name, table, key)


def test_policy_string_value_shown_quoted(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text('[voice]\nmin_rsrp_dbm = "-105"\n', encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert caught.value.value == '"-105"'
