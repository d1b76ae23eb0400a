#!/bin/bash
# manual rule: nothing to set up; the reviewer answers the OCIL question
true
