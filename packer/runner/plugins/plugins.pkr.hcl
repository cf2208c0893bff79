# Plugin pins for `packer init packer/runner/plugins` (Packer >= 1.7). Kept out of
# runner.pkr.hcl because Debian's Packer 1.6.6, which validates the template in
# `make packer-check`, rejects `required_plugins`; the Makefile's packer/*/*.pkr.hcl glob
# does not reach this subfolder. Packer loads installed plugins for any template, so
# `packer build packer/runner/runner.pkr.hcl` then finds the amazon builder.
packer {
  required_version = ">= 1.7.0"
  required_plugins {
    amazon = {
      source  = "github.com/hashicorp/amazon"
      version = ">= 1.3.0, < 2.0.0"
    }
  }
}
