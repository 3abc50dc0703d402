"""Notebook 03's self-check: what one to many feeds back, where many to one's loss reaches, the
encoder–decoder's parameter count, teacher forcing and exposure bias, and what the shapes depend on."""

from course_lib.quiz import Choice, Mistake, MultipleChoice, Numeric, Quiz

QUIZ = Quiz("Self-check: architectures", (
    MultipleChoice(
        "A one-to-many model writes a melody from one input (T<sub>x</sub> = 1), like the notebook's do re mi "
        "scale. What does it read as x<sup>⟨t+1⟩</sup>?",
        (
            Choice("the distribution ŷ<sup>⟨t⟩</sup> itself",
                   why="In training the network reads one-hot tokens, and a one-hot input is what it knows; fed "
                       "ŷ<sup>⟨t⟩</sup>, it would read a blend of every note it might have played."),
            Choice("x<sup>⟨1⟩</sup> again, at every step",
                   why="Then nothing would carry the melody from step to step in the scale model, which has "
                       "W<sub>aa</sub> = 0: it would play re seven times. The feedback is what moves it on."),
            Choice("the one-hot vector of its most likely output, argmax ŷ<sup>⟨t⟩</sup>", correct=True,
                   why="x<sup>⟨t+1⟩</sup> = one-hot(argmax<sub>i</sub> ŷ<sub>i</sub><sup>⟨t⟩</sup>): its output is "
                       "fed back as its next input, which is why n<sub>y</sub> must equal n<sub>x</sub>. (Notebook 04 "
                       "draws the token at random instead.)"),
            Choice("nothing: after step 1 the hidden state alone drives the outputs",
                   why="The cell needs an x<sup>⟨t⟩</sup> at every step; the one-to-many model supplies it by "
                       "feeding back its own output."),
        ),
    ),
    MultipleChoice(
        "The many-to-one sentiment classifier has its loss at the last step only. What does BPTT do with it?",
        (
            Choice("only the last step learns: the earlier inputs get no gradient",
                   why="The notebook measured ‖∂J/∂x<sup>⟨t⟩</sup>‖ &gt; 0 at every step: the gradient travels back "
                       "through the recurrence, from a<sup>⟨T<sub>x</sub>⟩</sup> to the earlier states."),
            Choice("the upstream <code>da</code> is zero except at a<sup>⟨T<sub>x</sub>⟩</sup>, and the recurrence "
                   "carries the gradient back to every earlier step", correct=True,
                   why="Only a<sup>⟨T<sub>x</sub>⟩</sup> feeds the output, so only there does the gradient arrive "
                       "from above; BPTT then carries it back through W<sub>aa</sub>, and every step's input and "
                       "weights get their share."),
            Choice("the loss is copied to every step, so each a<sup>⟨t⟩</sup> receives the same upstream gradient",
                   why="There is one prediction, from a<sup>⟨T<sub>x</sub>⟩</sup>; the notebook printed "
                       "‖da<sup>⟨t⟩</sup>‖ = 0 from the output at every step but the last."),
        ),
    ),
    Numeric(
        "The reversal task's encoder–decoder: the encoder reads n<sub>x</sub> = 4 letters with n<sub>a</sub> = 32 and "
        "has no output layer; the decoder, n<sub>a</sub> = 32, reads its own outputs, n<sub>x</sub> = n<sub>y</sub> "
        "= 5. How many parameters does the model have in all?",
        answer=2565,
        why="Encoder: 32 × 4 + 32 × 32 + 32 = 1184. Decoder: 32 × 5 + 32 × 32 + 32 + 5 × 32 + 5 = 1381. Two RNNs "
            "with weights of their own: 2565. None of it depends on T<sub>x</sub> = 3 or T<sub>y</sub> = 4.",
        hint="Count each RNN's W<sub>ax</sub>, W<sub>aa</sub>, b<sub>a</sub> and, where it has one, W<sub>ya</sub>, "
             "b<sub>y</sub>; then add the two.",
        mistakes=(
            Mistake(1381, "That is the decoder alone; the encoder has weights of its own (1184 more)."),
            Mistake(2730, "That gave the encoder an output layer too (5 × 32 + 5); it produces no output, only its "
                          "last state."),
            Mistake(2496, "That forgot the biases b<sub>a</sub> of both RNNs and the decoder's b<sub>y</sub>."),
            Mistake(2368, "That counted the decoder like the encoder, 1184 twice; the decoder reads n<sub>x</sub> "
                          "= 5 inputs and has an output layer."),
        ),
    ),
    MultipleChoice(
        "The encoder–decoder is trained with teacher forcing. What is exposure bias?",
        (
            Choice("in training the decoder reads the true previous output, so it never sees its own mistakes, "
                   "and meets them first when it generates", correct=True,
                   why="With teacher forcing x<sup>⟨t⟩</sup> = y<sup>⟨t−1⟩</sup>, the truth, whatever the model "
                       "predicted; generating, it reads its own outputs, and one wrong letter is a history training "
                       "never showed it."),
            Choice("teacher forcing makes the training loss a biased estimate of the gradient",
                   why="The gradient of the teacher-forced loss is exact for that loss; the trouble is that "
                       "generation feeds the decoder other inputs than training did."),
            Choice("the model prefers the outputs it saw most often in training",
                   why="That describes a skewed data set. Exposure bias is about the inputs: the true history in "
                       "training, the model's own in generation."),
            Choice("the encoder learns less than the decoder because its gradient passes through one state",
                   why="The encoder does learn through a<sup>⟨T<sub>x</sub>⟩</sup> alone, but that is not exposure "
                       "bias, which concerns what the decoder reads."),
        ),
    ),
))
