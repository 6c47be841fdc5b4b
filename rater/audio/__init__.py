"""The only place sound lives. Imports only ``rater.core`` (never Qt, never SQL), and importing
any module here does not initialise PortAudio.

- ``source``: ``probe(path) -> AudioInfo``; ``StreamingSource`` (block reads, exact seeks).
- ``player``: ``Player`` (engine process: decoder thread + PortAudio callback), ``PlayerError``.
- ``devices``: ``output_devices()``, ``refresh_devices()``, ``sound_problem()``.
- ``stretch``: ``TimeStretcher`` (Rubber Band R3, 0.5x-2.0x, pitch preserved).
- ``waveform``: ``WaveformJob`` / ``waveform()`` -> ``Peaks`` (cached min/max, any zoom).
- ``reencode``: ``reencode(src, dst, ...)`` tagless uniform FLAC, loudness, redaction.
- ``recorder``: ``Recorder`` (FLAC + level meter, crash-safe), ``unfinished()``, ``recover()``.
- The listening record is pure logic: ``rater.core.listening.ListeningRecord``.
- Also here, for import and blinding: ``probe`` (import-time probe with the true MP3 length),
  ``copies``, ``features``.

Decisions: docs/decisions/0101-time-stretch.md, 0102-audio-player.md, 0103-audio-test-device.md.
"""
