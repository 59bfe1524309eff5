"""Writers for the configuration languages fixes are printed in (HCL, YAML)."""
