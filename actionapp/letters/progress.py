"""Where a supporter's letters stand, for their thank-you page (the rules, not the template's)."""

from __future__ import annotations

from dataclasses import dataclass

from actionapp.models import Channel, Letter, LetterStatus, Submission


@dataclass(frozen=True)
class SubmissionProgress:
    """A submission's letters that need a word on the thank-you page."""

    duplicates: list[Letter]  # email letters not sent: already written from that address
    opened: list[Letter]  # mailto letters opened in the mail program, not yet said to be sent
    print_letters: list[Letter]
    all_posted: bool  # every printed letter reported as posted
    needs_translation: bool  # a letter in another language than the supporter's


def submission_progress(submission: Submission) -> SubmissionProgress:
    """Sort a submission's letters by what the thank-you page says about them."""
    letters = list(submission.letters)
    printed = [letter for letter in letters if letter.channel == Channel.PRINT]
    return SubmissionProgress(
        duplicates=[letter for letter in letters if letter.status == LetterStatus.DUPLICATE],
        opened=[letter for letter in letters if letter.status == LetterStatus.OPENED],
        print_letters=printed,
        all_posted=bool(printed) and all(one.status == LetterStatus.POSTED for one in printed),
        needs_translation=any(letter.language != submission.language for letter in letters),
    )
