"""Notebook 04b's self-check: what each of the three sets is for, the uniform model's perplexity,
what truncated BPTT carries and cuts, its number of updates, and why a word model's loss flatters it."""

from course_lib.quiz import Choice, Mistake, MultipleChoice, Numeric, Quiz

QUIZ = Quiz("Self-check: language models in practice", (
    MultipleChoice(
        "The small Chinese model's validation loss is lowest after some number of updates and then climbs. On which "
        "sentences is that number of updates chosen, and on which is the final model reported?",
        (
            Choice("chosen on the training sentences, where the loss is lowest; reported on the test sentences",
                   why="The training loss keeps falling the longer the model memorises, so it would always choose "
                       "the longest run: the one that had already turned worse on new sentences."),
            Choice("chosen and reported on the test sentences",
                   why="A number measured on the data that chose the setting is biased in the model's favour; the "
                       "test set is looked at once, at the end, after everything is chosen."),
            Choice("chosen on the validation sentences; reported once on the test sentences", correct=True,
                   why="The validation set chooses settings (here early stopping at its lowest loss); the test set, "
                       "which chose nothing, reports how good the chosen model is."),
            Choice("chosen on the validation sentences; reported on the validation sentences too",
                   why="The validation loss chose the number of updates, so its value at that point flatters the "
                       "model; the report comes from sentences that took no part in any choice."),
        ),
    ),
    Numeric(
        "The Tang character vocabulary has n<sub>y</sub> = 1430 tokens. An RNN whose weights are all zero predicts "
        "every token with probability 1/1430. What is its perplexity on the test poems?",
        answer=1430,
        why="Every token costs log 1430 nats, so the mean loss is log 1430 and the perplexity, its exponential, is "
            "1430: the uniform model is as unsure as a choice among n<sub>y</sub> tokens.",
        hint="Perplexity is exp of the mean loss per token, and the mean loss here is −log(1/1430).",
        mistakes=(
            Mistake(7.26542972325395, "That is log 1430, the mean loss per token in nats; the perplexity is its "
                                      "exponential."),
            Mistake(1, "That is a model that is never surprised, the best possible; the uniform model is the worst "
                       "that still gives every token a chance."),
            Mistake(1 / 1430, "That is the probability of each token; the perplexity is its inverse, the number of "
                              "tokens the model is as unsure among."),
        ),
    ),
    MultipleChoice(
        "In truncated BPTT, chunk j of a stream starts where chunk j−1 stopped. What happens at the boundary?",
        (
            Choice("the state is reset to a<sup>⟨0⟩</sup> = 0 and the gradient stops",
                   why="The state is carried, not reset: a<sup>⟨0⟩</sup> of chunk j is a<sup>⟨T<sub>x</sub>⟩</sup> "
                       "of chunk j−1, so the model still reads what came before the chunk."),
            Choice("the state is carried over, and the gradient flows back into chunk j−1",
                   why="Then an update would cost every step read so far, the whole text in the end. The backward pass stops at the chunk's "
                       "start: nothing flows into the carried a<sup>⟨0⟩</sup>, and no gradient is returned for it."),
            Choice("the state is carried over, and the gradient stops at the chunk's start", correct=True,
                   why="a<sup>⟨0⟩</sup> of chunk j = a<sup>⟨T<sub>x</sub>⟩</sup> of chunk j−1 (carried), while the "
                       "gradient is truncated there: an update costs T<sub>x</sub> steps, and a dependency longer "
                       "than the chunk can be used only by luck."),
            Choice("the chunks overlap by T<sub>x</sub>/2 tokens so that no dependency is cut",
                   why="The chunks follow each other exactly: chunk j reads first the token chunk j−1 ended on, "
                       "with no overlap; the truncation does cut longer dependencies."),
        ),
    ),
    Numeric(
        "The chunk-length sweep reads 160 000 tokens of Tang poems in every run, with m = 16 streams. How many "
        "updates does the run with chunks of T<sub>x</sub> = 25 make?",
        answer=400,
        why="One update reads m × T<sub>x</sub> = 16 × 25 = 400 tokens, so 160 000 tokens make 400 updates; the "
            "T<sub>x</sub> = 1 run makes 25 times as many.",
        hint="How many tokens does one update read? Each of the m streams contributes one chunk of T<sub>x</sub> "
             "tokens.",
        mistakes=(
            Mistake(6400, "That is 160 000 / 25: it forgot that the 16 streams are read side by side, 16 chunks per "
                          "update."),
            Mistake(10_000, "That is 160 000 / 16, one token per stream per update: the T<sub>x</sub> = 1 run."),
            Mistake(240, "That is the shipped model's number of updates, chosen where its validation loss stopped "
                         "falling; the sweep's run continues past it."),
        ),
    ),
    MultipleChoice(
        "On the same held-out text, the word model (jieba's words) has a lower loss per character than the "
        "character model. What does the notebook conclude?",
        (
            Choice("words are the better tokens: lower loss means a better model",
                   why="The comparison is not fair: the word model meets far more <code>&lt;UNK&gt;</code> in "
                       "held-out text, and predicting “some unknown word” is one easy guess standing for many "
                       "words."),
            Choice("the loss flatters the word model: much of its held-out text is <code>&lt;UNK&gt;</code>, an easy "
                   "guess the character model never gets", correct=True,
                   why="A word model's perplexity is only as honest as its <code>&lt;UNK&gt;</code> share is small; "
                       "that is why practice moved to subword units that split rare words instead of discarding "
                       "them."),
            Choice("the per-character loss is wrong: the two models' per-token perplexities should be compared",
                   why="Per-token perplexities are the ones that are not comparable (a word model predicts fewer, "
                       "harder tokens); spreading the loss over the characters is what puts both on one scale."),
        ),
    ),
))
