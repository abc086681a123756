import numpy as np
import pytest
import torch

from latentbio.data.shapes import make_shapes
from latentbio.models.adain import AdaIN, AdaINGenerator, ConvEncoder
from latentbio.models.conditional_autoencoder import ClassConditionedAutoencoder
from latentbio.models.image_classifier import ImageClassifier
from latentbio.checks import as_image_batch, as_numpy_images
from latentbio.models.lord import LORD, AmortizedLORD, LORDModule, NoisyEmbedding, pixel_loss


@pytest.fixture(scope="module")
def shapes():
    return make_shapes(n_per_class=8, size=16, shapes=("square", "ellipse", "cross"), seed=0)


def test_adain_normalises_each_channel_then_applies_scale_and_bias():
    features = torch.randn(3, 4, 5, 5) * 7 + 2
    scale, bias = torch.rand(3, 4) + 0.5, torch.randn(3, 4)
    out = AdaIN()(features, scale, bias)
    assert out.shape == features.shape
    torch.testing.assert_close(out.mean(dim=(2, 3)), bias, atol=1e-5, rtol=0)
    torch.testing.assert_close(out.std(dim=(2, 3), unbiased=False), scale, atol=1e-3, rtol=1e-3)
    # the spatial pattern (the content) survives: correlation with the input is 1 per channel
    centred_in = features - features.mean(dim=(2, 3), keepdim=True)
    centred_out = out - out.mean(dim=(2, 3), keepdim=True)
    correlation = (centred_in * centred_out).sum((2, 3)) / (centred_in.norm(dim=(2, 3)) * centred_out.norm(dim=(2, 3)))
    torch.testing.assert_close(correlation, torch.ones(3, 4), atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match="scale and bias"):
        AdaIN()(features, scale[:, :2], bias)


def test_generator_shapes_and_class_enters_through_adain():
    generator = AdaINGenerator(content_dim=5, class_dim=3, image_size=16, channels=(8, 4))
    assert [layer.out_features for layer in generator.modulation] == [16, 8]
    assert all(layer.in_features == 3 for layer in generator.modulation)
    content, classes = torch.randn(6, 5), torch.randn(6, 3)
    images = generator(content, classes)
    assert images.shape == (6, 1, 16, 16)
    assert images.min() >= 0 and images.max() <= 1
    other_class = generator(content, torch.randn(6, 3))
    assert not torch.allclose(images, other_class)
    with pytest.raises(ValueError, match="multiple of"):
        AdaINGenerator(5, 3, image_size=20, channels=(8, 4))
    with pytest.raises(ValueError, match="content codes"):
        generator(torch.randn(6, 4), classes)
    with pytest.raises(ValueError, match="class codes"):
        generator(content, torch.randn(5, 3))


def test_encoder_output_shape():
    assert ConvEncoder(16, 7, channels=(4, 8))(torch.rand(3, 1, 16, 16)).shape == (3, 7)
    assert ConvEncoder(8, 2, image_channels=3, channels=(4,))(torch.rand(2, 3, 8, 8)).shape == (2, 2)


def test_noise_is_added_only_in_training():
    embedding = NoisyEmbedding(50, 4, noise_std=1.0)
    index = torch.arange(50)
    codes = embedding.codes.weight.detach()
    assert codes.abs().max() <= 0.05
    embedding.eval()
    torch.testing.assert_close(embedding(index), codes)
    embedding.train()
    torch.manual_seed(0)
    with torch.no_grad():
        noise = torch.cat([embedding(index) - codes for _ in range(40)])
    assert abs(float(noise.mean())) < 0.05 and abs(float(noise.std()) - 1.0) < 0.05
    silent = NoisyEmbedding(5, 4, noise_std=0.0).train()
    torch.testing.assert_close(silent(torch.arange(5)), silent.codes.weight)
    with pytest.raises(ValueError, match="non-negative"):
        NoisyEmbedding(5, 4, noise_std=-1)


def test_class_code_is_shared_by_all_images_of_a_class(shapes):
    model = LORDModule((16, 16), 3, len(shapes.images), content_dim=4, class_dim=3, channels=(8, 4))
    assert model.content_codes.codes.weight.shape == (len(shapes.images), 4)
    assert model.class_codes.weight.shape == (3, 3)
    model.eval()
    same_content = torch.zeros(2, dtype=torch.int64)
    images = model.render(model.content_codes(same_content), torch.tensor([1, 1]))
    torch.testing.assert_close(images[0], images[1])
    # one gradient step moves the class code of class 1 once for all its images
    loss = model.loss(torch.tensor([0, 1, 2]), torch.rand(3, 1, 16, 16), torch.tensor([1, 1, 1]))["loss"]
    loss.backward()
    assert model.class_codes.weight.grad[1].abs().sum() > 0
    assert model.class_codes.weight.grad[[0, 2]].abs().sum() == 0


def test_lord_loss_terms_and_penalty_uses_the_codes():
    model = LORDModule((16, 16), 2, 4, content_dim=3, class_dim=2, channels=(8, 4), content_noise=0.0,
                       content_decay=0.5)
    with torch.no_grad():
        model.content_codes.codes.weight.fill_(2.0)
    terms = model.loss(torch.arange(4), torch.rand(4, 1, 16, 16), torch.tensor([0, 1, 0, 1]))
    assert set(terms) == {"loss", "reconstruction", "content_penalty"}
    torch.testing.assert_close(terms["content_penalty"], torch.tensor(12.0))
    torch.testing.assert_close(terms["loss"], terms["reconstruction"] + 0.5 * 12.0)


def test_lord_two_stages_learn_and_transfer(shapes):
    torch.manual_seed(0)
    n = len(shapes.images)
    model = LORD((16, 16), 3, n, content_dim=4, class_dim=3, channels=(8, 4))
    history = model.fit(shapes.images, shapes.classes, epochs=4, batch_size=8, lr=3e-3)
    assert history.train["reconstruction"][-1] < history.train["reconstruction"][0]
    assert model.learned_content_codes().shape == (n, 4) and model.learned_class_codes().shape == (3, 3)
    transferred = model.decode_mean(model.learned_content_codes()[:5], 2)
    assert transferred.shape == (5, 16, 16)
    # stage 1 has no encoder: latent looks the training images up, and refuses any other image
    np.testing.assert_array_equal(model.latent(shapes.images[:5]), model.learned_content_codes()[:5])
    np.testing.assert_array_equal(model.transfer(shapes.images[:5], 2), transferred)
    with pytest.raises(ValueError, match="only for its 24 training images; 1 of the 2 images.*AmortizedLORD"):
        model.latent(np.stack([shapes.images[0], 1 - shapes.images[0]]))
    with pytest.raises(ValueError, match="content codes for"):
        model.fit(shapes.images[:5], shapes.classes[:5], epochs=1)

    amortized = AmortizedLORD(model, channels=(4, 8), hidden=16)
    before = [p.clone() for p in model.module.generator.parameters()]
    history = amortized.fit(shapes.images, shapes.classes, epochs=3, batch_size=8)
    assert {"reconstruction", "content_code_error", "class_code_error"} <= set(history.train)
    assert all(torch.equal(a, b) for a, b in zip(before, model.module.generator.parameters())), "stage 1 must stay intact"
    content, class_codes = amortized.latent(shapes.images[:6]), amortized.class_codes(shapes.images[:6])
    assert content.shape == (6, 4) and class_codes.shape == (6, 3)
    assert amortized.transfer(shapes.images[:6], [0, 1, 2, 0, 1, 2]).shape == (6, 16, 16)
    assert amortized.transfer_from_examples(shapes.images[:6], shapes.images[6:12]).shape == (6, 16, 16)
    with pytest.raises(ValueError, match="one class image per content image"):
        amortized.transfer_from_examples(shapes.images[:6], shapes.images[:2])


def test_code_learning_rate_is_ten_times_the_generator_rate(shapes, monkeypatch):
    captured = {}
    import latentbio.train

    def fake_fit(module, data, *, optimizer, **options):
        captured["groups"] = optimizer.param_groups
        return None

    monkeypatch.setattr(latentbio.train, "fit", fake_fit)
    model = LORD((16, 16), 3, len(shapes.images), channels=(8, 4))
    model.fit(shapes.images, shapes.classes, epochs=1, lr=2e-3)
    generator_group, code_group = captured["groups"]
    assert generator_group["lr"] == pytest.approx(2e-3) and code_group["lr"] == pytest.approx(2e-2)
    assert code_group["betas"] == (0.5, 0.999)
    code_ids = {id(p) for p in code_group["params"]}
    assert code_ids == {id(model.module.content_codes.codes.weight), id(model.module.class_codes.weight)}


def test_baseline_and_classifier_shapes(shapes):
    torch.manual_seed(0)
    baseline = ClassConditionedAutoencoder((16, 16), 3, content_dim=4, class_dim=3, generator_channels=(8, 4),
                                           encoder_channels=(4, 8), hidden=16)
    history = baseline.fit(shapes.images, shapes.classes, epochs=2, batch_size=8)
    assert history.n_epochs == 2
    assert baseline.latent(shapes.images).shape == (len(shapes.images), 4)
    assert baseline.transfer(shapes.images[:4], [0, 1, 2, 0]).shape == (4, 16, 16)
    classifier = ImageClassifier((16, 16), 3, channels=(4, 8), hidden=16)
    classifier.fit(shapes.images, shapes.classes, epochs=2, batch_size=8)
    assert classifier.predict(shapes.images).shape == (len(shapes.images),)
    accuracy = classifier.score(shapes.images, shapes.classes)
    assert accuracy == np.mean(classifier.predict(shapes.images) == shapes.classes)
    assert classifier.error(shapes.images, shapes.classes) == pytest.approx(1.0 - accuracy)  # error: 1 - score
    with pytest.raises(ValueError, match="at least two classes"):
        ImageClassifier((16, 16), 1)


def test_baseline_with_lords_noise_pays_lords_penalty_on_noisy_codes_in_training_only(shapes):
    torch.manual_seed(0)
    images = as_image_batch(shapes.images[:6], 16)
    classes = torch.as_tensor(shapes.classes[:6])
    plain = ClassConditionedAutoencoder((16, 16), 3, content_dim=4, class_dim=3, generator_channels=(8, 4),
                                        encoder_channels=(4, 8), hidden=16).module
    noisy = ClassConditionedAutoencoder((16, 16), 3, content_dim=4, class_dim=3, generator_channels=(8, 4),
                                        encoder_channels=(4, 8), hidden=16, content_noise=1.0,
                                        content_decay=0.5).module
    noisy.load_state_dict(plain.state_dict())
    assert "content_penalty" not in plain.loss(images, classes)
    first, second = noisy.loss(images, classes), noisy.loss(images, classes)
    assert not torch.equal(first["reconstruction"], second["reconstruction"])  # fresh noise on every call
    codes = noisy.content_encoder(images)
    assert first["content_penalty"] > codes.pow(2).sum(1).mean()  # the penalty is paid on the noisy codes
    torch.testing.assert_close(first["loss"], first["reconstruction"] + 0.5 * first["content_penalty"])
    noisy.eval()
    torch.testing.assert_close(noisy.loss(images, classes)["reconstruction"], plain.eval().loss(images, classes)["loss"])
    with pytest.raises(ValueError, match="content_noise"):
        ClassConditionedAutoencoder((16, 16), 3, content_noise=-1.0)


def test_pixel_loss_is_mean_absolute_error():
    a, b = torch.zeros(2, 1, 4, 4), torch.full((2, 1, 4, 4), 0.25)
    torch.testing.assert_close(pixel_loss(a, b), torch.tensor(0.25))


def test_image_batches_are_checked_and_round_trip():
    grey = np.random.default_rng(0).random((3, 8, 8)).astype(np.float32)
    batch = as_image_batch(grey, 8)
    assert batch.shape == (3, 1, 8, 8)
    np.testing.assert_array_equal(as_numpy_images(batch), grey)
    colour = np.random.default_rng(0).random((2, 8, 8, 3)).astype(np.float32)
    np.testing.assert_array_equal(as_numpy_images(as_image_batch(colour)), colour)
    for bad, message in [(np.zeros((8, 8)), "grey"), (np.zeros((2, 8, 6)), "got 8x6"),
                         (np.zeros((2, 16, 16)), "8x8"), (np.full((1, 8, 8), 2.0), r"\[0, 1\]"),
                         (np.full((1, 8, 8), np.nan), "NaN"), (np.zeros((0, 8, 8)), "empty")]:
        with pytest.raises(ValueError, match=message):
            as_image_batch(bad, 8)


def test_lord_rejects_bad_input(shapes):
    model = LORD((16, 16), 3, len(shapes.images), channels=(8, 4))
    with pytest.raises(ValueError, match=r"lie in \[0, 3\)"):
        model.fit(shapes.images, np.full(len(shapes.images), 5), epochs=1)
    with pytest.raises(ValueError, match="16x16"):
        model.fit(np.zeros((len(shapes.images), 32, 32)), shapes.classes, epochs=1)
    with pytest.raises(ValueError, match="image_shape"):
        LORD((16, 8), 3, 4)
    with pytest.raises(ValueError, match="at least one"):
        LORD((16, 16), 3, 0)
