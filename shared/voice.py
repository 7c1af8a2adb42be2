"""Speech for the apps: a `Speaker` interface and espeak-ng behind it, and numbers in words.

The lobby display (display/voice.py) announces calls with it and the kiosk's care
mode (kiosk/care.py) reads its screens aloud. A `Speaker` says one text and returns
when it has finished; tests hand the apps a recording one, production runs
espeak-ng in a subprocess (offline; ``-v cmn`` for Mandarin). Cancelling `say`
stops the sound at once (the process is killed).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from typing import Protocol

_ZH_DIGITS = "零一二三四五六七八九"


def spell_number_zh(number: str) -> str:
    """A ticket number as said in Chinese halls: letters as letters, digits one by one."""
    return " ".join(_ZH_DIGITS[int(c)] if c.isdigit() else c.upper() for c in number)


def window_zh(n: int) -> str:
    """A window number in Chinese numerals (1-99; larger ones digit by digit)."""
    if 0 <= n < 10:
        return _ZH_DIGITS[n]
    if 10 <= n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _ZH_DIGITS[tens]) + "十" + (_ZH_DIGITS[ones] if ones else "")
    return "".join(_ZH_DIGITS[int(c)] for c in str(n))


class SpeakerUnavailable(Exception):
    """The speaker cannot speak at all (e.g. espeak-ng is not installed)."""


class Speaker(Protocol):
    """Something that says a text aloud and returns when it has finished."""

    async def say(self, text: str, lang: str) -> None: ...


class EspeakSpeaker:
    """Speaks with espeak-ng in a subprocess (offline; `-v cmn` for Mandarin)."""

    def __init__(
        self,
        program: str = "espeak-ng",
        voices: dict[str, str] | None = None,
        speed: int = 150,
    ) -> None:
        self.program = program
        self.voices = voices or {"zh": "cmn", "en": "en"}
        self.speed = speed

    def available(self) -> bool:
        """Whether the program can be found on PATH."""
        return shutil.which(self.program) is not None

    async def say(self, text: str, lang: str) -> None:
        """Speak text; raise SpeakerUnavailable when espeak-ng cannot be run."""
        voice = self.voices.get(lang, self.voices["zh"])
        try:
            proc = await asyncio.create_subprocess_exec(
                self.program,
                "-v",
                voice,
                "-s",
                str(self.speed),
                text,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
        except (FileNotFoundError, PermissionError) as exc:
            raise SpeakerUnavailable(f"{self.program}: {exc.strerror or exc}") from None
        try:
            _, err = await proc.communicate()
        except asyncio.CancelledError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            raise
        if proc.returncode != 0:
            lines = [ln for ln in err.decode(errors="replace").splitlines() if ln.strip()]
            message = lines[-1].strip() if lines else f"exit status {proc.returncode}"
            if "voice" in message.lower():  # e.g. the cmn voice data is missing
                raise SpeakerUnavailable(message)
            raise RuntimeError(message)
