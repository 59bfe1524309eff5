"""The buckets a deployment stores artifacts in: configured ones and any a bundle recorded a state for."""

from __future__ import annotations

from gcready.model import BucketRef, Evidence, same_bucket


def buckets_in(evidence: Evidence) -> tuple[BucketRef, ...]:
    """Each bucket once: those the configuration names, then those only a recorded state names."""
    found = list(evidence.unique_buckets())
    for state in evidence.bucket_states:
        if any(same_bucket(state, b) for b in found):
            continue
        found.append(
            BucketRef(
                provider=state.provider,
                name=state.name,
                origin=state.origin,
                display=_display(state.provider.value, state.account, state.endpoint, state.name),
                account=state.account,
                endpoint=state.endpoint,
                region=state.region,
            )
        )
    return tuple(found)


def _matches(state: object, bucket: BucketRef) -> bool:
    from gcready.model import BucketState, same_bucket

    return isinstance(state, BucketState) and (state.key == bucket.key or same_bucket(state, bucket))


def _display(provider: str, account: str | None, endpoint: str | None, name: str) -> str:
    if provider == "azure":
        return f"az://{account}/{name}"
    scheme = {"gcp": "gs", "coreweave": "cw"}.get(provider, "s3")
    return f"{scheme}://{endpoint + '/' if endpoint else ''}{name}"
