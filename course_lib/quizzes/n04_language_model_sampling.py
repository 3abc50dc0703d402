"""Notebook 04's self-check: what sampling feeds back, the two sums of the loss, the sound-alike
transcripts, temperature, and the size of a top-p nucleus."""

from course_lib.quiz import Choice, Mistake, MultipleChoice, Numeric, Quiz

QUIZ = Quiz("Self-check: language models and sampling", (
    MultipleChoice(
        "Sampling from the language model, step t has drawn the token y<sup>⟨t⟩</sup> from ŷ<sup>⟨t⟩</sup>. What "
        "is fed back as x<sup>⟨t+1⟩</sup>?",
        (
            Choice("ŷ<sup>⟨t⟩</sup>, the probability vector",
                   why="That is the source tutorial's slip. Fed ŷ, the model would read a blend of every token it "
                       "might have drawn, an input it never saw in training."),
            Choice("the one-hot vector of the most probable token, whatever was drawn",
                   why="That is greedy decoding, a different rule; when sampling, the drawn token y<sup>⟨t⟩</sup> "
                       "is the one the sentence continues from, even when it is not the argmax."),
            Choice("the one-hot vector of the token drawn, y<sup>⟨t⟩</sup>", correct=True,
                   why="x<sup>⟨t+1⟩</sup> = one-hot(y<sup>⟨t⟩</sup>): what the model read in training "
                       "(x<sup>⟨t⟩</sup> = y<sup>⟨t−1⟩</sup>, one-hot), and it keeps the sample one sentence."),
            Choice("the one-hot vector of the true next token of the corpus",
                   why="That is teacher forcing, which is how it trains; when it generates there is no corpus "
                       "sentence to read from, only its own draws."),
        ),
    ),
    MultipleChoice(
        "The language model's loss is L<sup>⟨t⟩</sup> = −Σ y<sub>i</sub><sup>⟨t⟩</sup> log ŷ<sub>i</sub><sup>⟨t⟩</sup> "
        "and J = Σ L<sup>⟨t⟩</sup>. What do the two sums run over?",
        (
            Choice("both over the time steps t",
                   why="That is how the source tutorial writes L<sup>⟨t⟩</sup>, and it is a slip: the loss of one "
                       "step cannot sum over the steps; only J does."),
            Choice("L<sup>⟨t⟩</sup> over the vocabulary index i, J over the steps t", correct=True,
                   why="Within a step the sum runs over the n<sub>y</sub> tokens; with a one-hot y<sup>⟨t⟩</sup> it "
                       "keeps one term, −log of the true token's probability. J then adds the steps, and equals "
                       "−log P(sentence)."),
            Choice("L<sup>⟨t⟩</sup> over the steps t, J over the examples of the batch",
                   why="The index i of y<sub>i</sub> is the vocabulary entry; J sums the per-step losses "
                       "L<sup>⟨t⟩</sup> over t (and a batch's J adds its examples too)."),
        ),
    ),
    MultipleChoice(
        "A speech recogniser hears lì shǐ zǒng shì bú duàn chóng yǎn and asks the language model about 历史总是不断重演 "
        "and the sound-alike 力使总事不断虫眼. Which should get the higher probability?",
        (
            Choice("力使总事不断虫眼, as the source tutorial says (10<sup>−10</sup> against 10<sup>−13</sup>)",
                   why="The source gets this example backwards: a language model should prefer the sentence that "
                       "makes sense, and that is how the recogniser picks it."),
            Choice("neither: they sound the same, so the model gives them the same probability",
                   why="A language model never hears the sound; it scores the characters, and these are different "
                       "sentences."),
            Choice("历史总是不断重演, the sentence that makes sense", correct=True,
                   why="It gets the higher probability, and ours does so; the notebook also tests 历史总是不断变化, a "
                       "sentence the model was not trained on, against its sound-alike."),
        ),
    ),
    MultipleChoice(
        "The sampler divides the logits by a temperature τ before the softmax: ŷ = softmax(z / τ). What does "
        "τ → 0 give?",
        (
            Choice("greedy decoding: all the probability goes to the most likely token", correct=True,
                   why="Dividing by a small τ stretches the gaps between the logits, so the largest one takes "
                       "everything: at τ = 0.01 all five seeds the notebook tried drew the greedy sentence."),
            Choice("uniform sampling: every token equally likely",
                   why="That is τ → ∞, which flattens ŷ; a small τ sharpens it."),
            Choice("the model's own ŷ, unchanged",
                   why="That is τ = 1. Moving τ away from 1 reshapes ŷ, sharper below 1, flatter above."),
            Choice("an error: the softmax of z / τ is undefined",
                   why="For any τ &gt; 0 it is a distribution; as τ shrinks it tends to the one-hot of the argmax."),
        ),
    ),
    Numeric(
        "The notebook's four logits z = (2, 1, 0.2, −1) give ŷ ≈ (0.63, 0.23, 0.10, 0.03) at τ = 1. How many "
        "tokens does nucleus (top-p) sampling with p = 0.9 keep?",
        answer=3,
        why="The nucleus is the smallest set of most probable tokens whose mass reaches p: 0.63 + 0.23 = 0.86 falls "
            "short of 0.9, 0.63 + 0.23 + 0.10 = 0.97 reaches it. Three tokens, their mass shared out again to sum "
            "to 1.",
        hint="Add the probabilities from the largest down, and stop at the first sum that reaches 0.9.",
        mistakes=(
            Mistake(2, "That stopped before the mass reached p: the two top tokens hold 0.86 &lt; 0.9, so the "
                       "third is needed."),
            Mistake(4, "That keeps every token: the nucleus drops the tail once p is reached, here the token of "
                       "0.03."),
            Mistake(1, "That is top-k with k = 1, greedy decoding; top-p counts mass, not tokens."),
        ),
    ),
))
