"""Documented exit codes of the `notary` command (also listed in the README)."""

OK = 0
VERIFICATION_FAILED = 1
USAGE = 2
INPUT = 3
CHAIN = 4
REJECTED = 5
INTERRUPTED = 130


def for_error(exc: Exception) -> int:
    from notary import errors

    if isinstance(exc, errors.VerificationError):
        return VERIFICATION_FAILED
    if isinstance(exc, errors.ContractRevertError):
        return REJECTED
    if isinstance(exc, errors.ChainError):
        return CHAIN
    return INPUT
