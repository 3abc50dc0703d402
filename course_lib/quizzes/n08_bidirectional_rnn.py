"""Notebook 08's self-check: what each direction has read, why the unidirectional tagger guesses at 王,
why a BRNN cannot generate, when it can emit its first output, and the output layer's size."""

from course_lib.quiz import Choice, Mistake, MultipleChoice, Numeric, Quiz

QUIZ = Quiz("Self-check: the bidirectional RNN", (
    MultipleChoice(
        "In a bidirectional RNN (双向循环神经网络) over T<sub>x</sub> steps, which inputs has the backward "
        "state a←<sup>⟨t⟩</sup> read?",
        (
            Choice("x<sup>⟨1⟩</sup>, …, x<sup>⟨t⟩</sup>",
                   why="That is the forward state a→<sup>⟨t⟩</sup>. The backward direction starts at the end "
                       "of the sentence."),
            Choice("x<sup>⟨T<sub>x</sub>⟩</sup>, …, x<sup>⟨t⟩</sup>, from the last input back to step t",
                   correct=True,
                   why="a←<sup>⟨t⟩</sup> = g(W<sub>a←</sub> [a←<sup>⟨t+1⟩</sup>; x<sup>⟨t⟩</sup>] + "
                       "b<sub>a←</sub>) starts from a←<sup>⟨T<sub>x</sub>+1⟩</sup> = 0: it is an ordinary RNN "
                       "run on the reversed sequence, its states reversed back."),
            Choice("x<sup>⟨t+1⟩</sup>, …, x<sup>⟨T<sub>x</sub>⟩</sup>, the inputs after step t only",
                   why="Its equation reads x<sup>⟨t⟩</sup> too, as the forward one does: each direction's state "
                       "at t includes the input at t."),
            Choice("the whole sentence, x<sup>⟨1⟩</sup>, …, x<sup>⟨T<sub>x</sub>⟩</sup>",
                   why="Only ŷ<sup>⟨t⟩</sup>, which reads [a→<sup>⟨t⟩</sup>; a←<sup>⟨t⟩</sup>], has seen "
                       "the whole sentence; the two directions do not talk to each other."),
        ),
    ),
    MultipleChoice(
        "On 他说,「王刚… and 他说,「王府…, why is the unidirectional tagger at chance at 王 while it is right "
        "everywhere else?",
        (
            Choice("its n<sub>a</sub> = 12 units are too few",
                   why="The bidirectional tagger has the same n<sub>a</sub> = 12 per direction and is right at "
                       "王; the unidirectional one is right at every other character."),
            Choice("the gradient vanishes before it reaches 王",
                   why="The character that decides, 刚 or 府, is one step away: no long distance is involved. "
                       "It is simply in the future."),
            Choice("it needs a GRU or an LSTM cell",
                   why="The bidirectional tagger with the plain RNN cell is right at 王 too; what it has and "
                       "the unidirectional one lacks is the backward direction."),
            Choice("ŷ<sup>⟨5⟩</sup> depends only on x<sup>⟨1⟩</sup>, …, x<sup>⟨5⟩</sup>, the same five "
                   "characters in both sentences; 刚 or 府 comes one step later", correct=True,
                   why="Two sentences that begin alike get the same ŷ<sup>⟨t⟩</sup> over their common "
                       "beginning: its P(name) at 王 was the same number for both, to the last bit."),
        ),
    ),
    MultipleChoice(
        "Trained as a language model on the 王 sentences, a bidirectional RNN reaches a loss far below the "
        "unidirectional one's, yet its samples are garbage. Why?",
        (
            Choice("at step t its backward direction has read x<sup>⟨t+1⟩</sup> = y<sup>⟨t⟩</sup>, the very "
                   "token it must predict; when sampling, that token does not exist yet", correct=True,
                   why="It learned to copy the answer from its backward direction. Generating writes one token "
                       "at a time, so the backward direction holds no answer, and the model has little idea "
                       "what comes next."),
            Choice("it memorised the training sentences, which the unidirectional model could not",
                   why="The unidirectional model, trained the same way, stays near a third of a nat per token: "
                       "the choices the past cannot predict. The BRNN's loss is lower because it reads the "
                       "token it predicts."),
            Choice("its W<sub>y</sub> has 2 n<sub>a</sub> columns: twice the capacity overfits",
                   why="Capacity is not the issue: the loss is low on the test sentences too. The backward "
                       "direction gives it the answer at training time and nothing at sampling time."),
        ),
    ),
    Numeric(
        "The bidirectional tagger reads 他说,「王刚已经离开学校了」, one character per step. How many inputs must "
        "have arrived before it can emit ŷ<sup>⟨1⟩</sup>?",
        answer=14,
        why="Every output of a BRNN depends on the last input: all 14 characters (the closing 」 included). "
            "That is why speech recognition with a BRNN must wait for the end of the utterance.",
        hint="Count the characters, punctuation included, and ask which of them a←<sup>⟨1⟩</sup> has read.",
        mistakes=(
            Mistake(1, "That is the unidirectional tagger, which can emit ŷ<sup>⟨t⟩</sup> as soon as "
                       "x<sup>⟨t⟩</sup> arrives. The backward state a←<sup>⟨1⟩</sup> has read every input."),
            Mistake(5, "That is 王's position, the end of the common beginning; ŷ<sup>⟨1⟩</sup> waits for the "
                       "whole sentence, not only up to 王."),
            Mistake(13, "That left out a character: 他说,「王刚已经离开学校了」 has 14, the comma and both "
                        "brackets included, and ŷ<sup>⟨1⟩</sup> waits for the last one."),
        ),
    ),
    Numeric(
        "The bidirectional RNN tagger has n<sub>a</sub> = 12 units in each direction and one output, "
        "P(name). How many numbers does its output layer W<sub>y</sub>, b<sub>y</sub> hold?",
        answer=25,
        why="ŷ<sup>⟨t⟩</sup> = σ(W<sub>y</sub> [a→<sup>⟨t⟩</sup>; a←<sup>⟨t⟩</sup>] + b<sub>y</sub>): "
            "W<sub>y</sub> is 1 × 2 n<sub>a</sub> = 24, plus the one bias.",
        hint="W<sub>y</sub> reads the stacked column [a→<sup>⟨t⟩</sup>; a←<sup>⟨t⟩</sup>]: how long is it?",
        mistakes=(
            Mistake(13, "That is the unidirectional tagger's output layer: the bidirectional one reads both "
                        "directions, 2 n<sub>a</sub> = 24 values."),
            Mistake(24, "That forgot the bias b<sub>y</sub>."),
        ),
    ),
))
