"""Writing letters: the composer, the one assembly of a letter, recording, coaching."""
