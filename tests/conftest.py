"""Every unit test runs under the course's thread policy (one torch thread, as the chapters do)."""

import latentbio

latentbio.configure()
