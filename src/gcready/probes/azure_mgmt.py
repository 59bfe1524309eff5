"""Azure management-plane settings of a storage account (azure-mgmt-storage), read only when asked.

Blob versioning, container soft delete and lifecycle management policies are not visible on the data
plane. They are read only when the user names the subscription and resource group
(``--azure-subscription`` / ``--azure-resource-group``), with ``DefaultAzureCredential``; the libraries
are an optional extra (``pip install 'gcready[azure-mgmt]'``). Every failure becomes a reading that
says what was missing, never a value.
"""

from __future__ import annotations

from gcready.model import AZURE_MANAGEMENT_SETTINGS, JSON, Outcome, Reading, Setting
from gcready.probes.state import failed, ok

SETTINGS = AZURE_MANAGEMENT_SETTINGS
PERMISSION = "Microsoft.Storage/storageAccounts/blobServices/read"
POLICY_PERMISSION = "Microsoft.Storage/storageAccounts/managementPolicies/read"


def _all(reading: Reading) -> list[tuple[Setting, Reading]]:
    return [(name, reading) for name in SETTINGS]


def read_management_plane(
    account: str, subscription: str, resource_group: str, timeout: float
) -> list[tuple[Setting, Reading]]:
    """The three management-plane settings of ``account``, as readings."""
    try:
        from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
        from azure.identity import DefaultAzureCredential
        from azure.mgmt.storage import StorageManagementClient
    except ImportError as exc:
        return _all(
            failed(
                Outcome.NOT_SUPPORTED,
                f"management-plane libraries not installed ({exc.name}): pip install 'gcready[azure-mgmt]'",
            )
        )
    try:
        client = StorageManagementClient(DefaultAzureCredential(), subscription, connection_timeout=timeout)
        props = client.blob_services.get_service_properties(resource_group, account, timeout=timeout)
    except ResourceNotFoundError:
        return _all(
            failed(
                Outcome.NOT_FOUND, f"storage account {account} not found in resource group {resource_group}"
            )
        )
    except HttpResponseError as exc:
        if exc.status_code in (401, 403):
            return _all(
                failed(Outcome.DENIED, f"management plane refused: HTTP {exc.status_code}", PERMISSION)
            )
        return _all(failed(Outcome.ERROR, f"management plane: HTTP {exc.status_code}"))
    except Exception as exc:  # credentials unavailable, network: never a value
        return _all(failed(Outcome.ERROR, f"management plane: {type(exc).__name__}"))
    container = props.container_delete_retention_policy
    readings: list[tuple[Setting, Reading]] = [
        (Setting.BLOB_VERSIONING, ok({"enabled": bool(props.is_versioning_enabled)})),
        (
            Setting.CONTAINER_SOFT_DELETE,
            ok(
                {
                    "enabled": bool(container and container.enabled),
                    "days": container.days if container and container.enabled else None,
                }
            ),
        ),
    ]
    try:
        policy = client.management_policies.get(resource_group, account, "default", timeout=timeout)
        value: JSON = policy.as_dict().get("policy") or {"rules": []}
        readings.append((Setting.MANAGEMENT_POLICY, ok(value)))
    except ResourceNotFoundError:
        readings.append((Setting.MANAGEMENT_POLICY, ok({"rules": []})))
    except HttpResponseError as exc:
        outcome = Outcome.DENIED if exc.status_code in (401, 403) else Outcome.ERROR
        readings.append(
            (
                Setting.MANAGEMENT_POLICY,
                failed(outcome, f"management policy: HTTP {exc.status_code}", POLICY_PERMISSION),
            )
        )
    except Exception as exc:
        readings.append(
            (Setting.MANAGEMENT_POLICY, failed(Outcome.ERROR, f"management policy: {type(exc).__name__}"))
        )
    return readings
