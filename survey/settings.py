"""Settings read from the environment (prefix ``ZONEBLANCHE_``) or a ``.env`` file."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZONEBLANCHE_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///zoneblanche.db"
    lang: str = "fr"
    max_upload_mb: float = 200.0
    policy_file: Path | None = None
    default_timezone: str = "Europe/Paris"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


def get_settings() -> Settings:
    return Settings()
