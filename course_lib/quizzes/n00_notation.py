"""Notebook 00's self-check: timesteps, the batch's axes, <UNK>, <EOS>, shared weights."""

from course_lib.quiz import Choice, Mistake, MultipleChoice, Numeric, Quiz

QUIZ = Quiz("Self-check: notation", (
    Numeric(
        "王刚和李明去上班了 is read one character per timestep, with <code>&lt;EOS&gt;</code> appended "
        "as the language model does. What is T<sub>x</sub>?",
        answer=10,
        why="Nine characters and one <code>&lt;EOS&gt;</code>: T<sub>x</sub> = 10.",
        hint="Count one timestep per character, then add what <code>&lt;EOS&gt;</code> adds.",
        mistakes=(
            Mistake(9, "That is the nine characters alone: <code>&lt;EOS&gt;</code> is a token of its own, one more "
                       "timestep."),
            Mistake(7, "That counts jieba's words (王刚 / 和 / 李明 / 去 / 上班 / 了) and <code>&lt;EOS&gt;</code>; "
                       "here every character is a timestep."),
        ),
    ),
    MultipleChoice(
        "A batch <code>x</code> has shape (n<sub>x</sub>, m, T<sub>x</sub>). What is <code>x[:, :, 2]</code>?",
        (
            Choice("x<sup>⟨3⟩</sup> of every example of the batch", correct=True,
                   why="The last axis is time and Python counts from 0: index 2 is the third timestep, for all m "
                       "examples at once (shape (n<sub>x</sub>, m))."),
            Choice("x<sup>⟨2⟩</sup> of every example of the batch",
                   why="Python indexes from 0 while the notation counts from 1: <code>x[:, :, t-1]</code> is "
                       "x<sup>⟨t⟩</sup>, so index 2 is x<sup>⟨3⟩</sup>."),
            Choice("the whole third sentence of the batch",
                   why="Examples are the middle axis: the third sentence is <code>x[:, 2, :]</code>. The last "
                       "axis is time."),
            Choice("the one-hot column of token number 2 of the vocabulary",
                   why="Rows (the first axis) are vocabulary entries; the question slices the last axis, time."),
        ),
    ),
    MultipleChoice(
        "彪 is not in the vocabulary. What does encoding 我爱吃油泼辣子彪彪面 do with it?",
        (
            Choice("drops it from the sentence",
                   why="Dropping would shorten the sentence and hide that a word stood there; the tutorial maps "
                       "it to <code>&lt;UNK&gt;</code> instead."),
            Choice("adds 彪 to the vocabulary as a new index",
                   why="The vocabulary is fixed before training: the network has exactly n<sub>x</sub> input "
                       "columns, and a new index would have no weights."),
            Choice("replaces each 彪 by <code>&lt;UNK&gt;</code>, one timestep each", correct=True,
                   why="Out-of-vocabulary tokens become <code>&lt;UNK&gt;</code> (index 0): the sentence keeps "
                       "its length, and the model still sees that something stood there."),
            Choice("encodes it as an all-zero column",
                   why="All-zero columns are padding, which the mask marks as not part of the sentence; an "
                       "unknown token is a real token: <code>&lt;UNK&gt;</code>."),
        ),
    ),
    Numeric(
        "An RNN with n<sub>a</sub> = 100 hidden units reads one-hot vectors of a 10 000-token vocabulary. "
        "How many input weights (the entries of W<sub>ax</sub>) does it have?",
        answer=1_000_000,
        why="W<sub>ax</sub> is n<sub>a</sub> × n<sub>x</sub> = 100 × 10 000 = 1 000 000, the same for a sentence "
            "of any length: the weights are shared across timesteps.",
        hint="W<sub>ax</sub> multiplies x<sup>⟨t⟩</sup> (n<sub>x</sub> rows) to give n<sub>a</sub> values: "
             "its shape is n<sub>a</sub> × n<sub>x</sub>.",
        mistakes=(
            Mistake(10_100, "That adds n<sub>a</sub> and n<sub>x</sub>; a weight matrix has one entry per "
                            "(hidden unit, input) pair: multiply."),
            Mistake(1_010_000, "That adds W<sub>aa</sub> (100 × 100); the question asks for the input weights "
                               "W<sub>ax</sub> only."),
        ),
    ),
))
