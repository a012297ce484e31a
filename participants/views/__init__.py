"""Site pages: the participant listing, screening to enrolment, visits and their forms."""
