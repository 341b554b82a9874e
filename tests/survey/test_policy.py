import pytest

from survey.errors import PolicyError
from survey.policy import DEFAULT_POLICY, load_policy


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
