"""Two-factor rules: which codes pass (one step of drift, never a step twice), what is kept
of a recovery code, and who must use it."""

import pyotp

from feedback.domain import two_factor

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
AT = 1_800_000_015.0  # inside step 60_000_000
TOTP = pyotp.TOTP(SECRET)
STEP = TOTP.timecode(AT)


def test_a_code_one_step_early_or_late_passes_two_steps_do_not():
    for offset in (-1, 0, 1):
        code = TOTP.at(AT + 30 * offset)
        assert two_factor.matching_step(SECRET, code, AT, None) == STEP + offset
    for offset in (-2, 2):
        assert two_factor.matching_step(SECRET, TOTP.at(AT + 30 * offset), AT, None) is None


def test_a_step_once_used_and_those_before_it_are_refused():
    code = TOTP.at(AT)
    assert two_factor.matching_step(SECRET, code, AT, STEP - 1) == STEP
    assert two_factor.matching_step(SECRET, code, AT, STEP) is None
    assert two_factor.matching_step(SECRET, TOTP.at(AT - 30), AT, STEP) is None
    assert two_factor.matching_step(SECRET, TOTP.at(AT + 30), AT, STEP) == STEP + 1


def test_only_six_ascii_digits_are_taken_for_an_app_code():
    assert two_factor.is_time_code("123 456") and two_factor.is_time_code(" 123456 ")
    for text in ("12345", "1234567", "١٢٣٤٥٦", "abcde-fghjk"):
        assert not two_factor.is_time_code(text), text
    assert two_factor.matching_step(SECRET, "abcdef", AT, None) is None


def test_recovery_codes_are_random_and_kept_as_a_hash_of_their_letters():
    codes = two_factor.new_recovery_codes()
    assert len(set(codes)) == two_factor.RECOVERY_CODE_COUNT == 10
    assert all(len(code) == 11 and code[5] == "-" for code in codes)
    code = codes[0]
    stored = two_factor.recovery_code_hash(code)
    assert len(stored) == 64 and code not in stored
    assert two_factor.recovery_code_hash(" " + code.upper().replace("-", " ")) == stored


def test_admins_must_use_it_in_production_only():
    assert two_factor.required("admin", production=True)
    assert not two_factor.required("admin", production=False)
    assert not two_factor.required("monitor", production=True)
    assert not two_factor.required("officer", production=True)
