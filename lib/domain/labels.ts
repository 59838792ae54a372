/** Label vocabularies shared by the database, the UI and the models. */
export const GENDERS = ['MALE', 'FEMALE', 'NONBINARY', 'UNKNOWN'] as const;
export type Gender = (typeof GENDERS)[number];

/** UTKFace's five race classes, in its numeric order, plus UNKNOWN. */
export const RACES = ['WHITE', 'BLACK', 'ASIAN', 'INDIAN', 'OTHER', 'UNKNOWN'] as const;
export type Race = (typeof RACES)[number];

export const FACE_STATUSES = ['PREDICTED', 'LABELED', 'REVIEWED', 'SKIPPED', 'IMPORTED'] as const;
export type FaceStatus = (typeof FACE_STATUSES)[number];

export const ROLES = ['ANNOTATOR', 'CURATOR', 'MAINTAINER', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

export const GENDER_LABEL: Record<Gender, string> = {
  MALE: 'male',
  FEMALE: 'female',
  NONBINARY: 'non-binary',
  UNKNOWN: 'unknown',
};

export const RACE_LABEL: Record<Race, string> = {
  WHITE: 'White',
  BLACK: 'Black',
  ASIAN: 'Asian',
  INDIAN: 'Indian',
  OTHER: 'Other',
  UNKNOWN: 'unknown',
};
